// swift-tools-version:6.0
import PackageDescription
import class Foundation.ProcessInfo

// Layers: CTurboJPEG (system library) -> ChexpertCore (format knowledge,
// decoding, batching; no Foundation) -> ChexpertABI (@c shims implementing
// include/chexpert.h) -> ChexpertSharedLib (link-only: static Swift runtime,
// export list under the version node CHEXPERT_2, SONAME libchexpert.so.2)
// = libchexpert.so.
//
// `-z defs` turns unresolved symbols into link errors. Sanitizer runtimes live
// in the executable, so sanitized builds drop it: CHEXPERT_SANITIZE=1.
let zdefs: [String] = ProcessInfo.processInfo.environment["CHEXPERT_SANITIZE"] == "1"
    ? [] : ["-Xlinker", "-z", "-Xlinker", "defs"]

let package = Package(
    name: "chexpert",
    products: [
        .library(name: "chexpert", type: .dynamic, targets: ["ChexpertABI", "ChexpertSharedLib"]),
        .executable(name: "chexpert-sample", targets: ["chexpert-sample"]),
    ],
    targets: [
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG",
            pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // Holds include/chexpert.h (through the `include` symlink) so Swift can
        // implement it with `@c @implementation`.
        .target(name: "CChexpertABI", path: "Sources/CChexpertABI", publicHeadersPath: "include"),
        // The header's limit macros as typed C constants (Swift mis-imports some).
        .target(name: "CChexpertLimits", dependencies: ["CChexpertABI"], path: "Sources/CChexpertLimits"),
        // Glibc calls that need _GNU_SOURCE (CPU affinity).
        .target(name: "CSystem", path: "Sources/CSystem", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // The float32 resampling kernel (CHEXPERT_RESAMPLE_FAST): vector-extension C, SSE2 and AVX2 builds
        // chosen at run time, -O3 (loops over lanes fully unrolled).
        .target(name: "CResample", path: "Sources/CResample", cSettings: [.unsafeFlags(["-O3", "-gdwarf-4"])]),
        .target(name: "ChexpertCore", dependencies: ["CTurboJPEG", "CSystem", "CResample"]),
        .target(name: "ChexpertABI", dependencies: ["ChexpertCore", "CChexpertABI", "CChexpertLimits"]),
        .target(
            name: "ChexpertSharedLib", dependencies: ["ChexpertABI"],
            linkerSettings: [.unsafeFlags([
                "-static-stdlib",
                "-Xlinker", "--version-script=\(Context.packageDirectory)/exports.map",
                // SONAME carries the ABI major (CHEXPERT_ABI_VERSION in the header):
                // programs linked with -lchexpert record NEEDED libchexpert.so.2, so
                // running them against a build folder needs the link
                // libchexpert.so.2 -> libchexpert.so beside it. scripts/install.sh
                // installs libchexpert.so.<release> with both links.
                "-Xlinker", "-soname=libchexpert.so.2",
            ] + zdefs)]),
        // Writes CheXpert-shaped trees of real JPEGs (tests, demo, benchmarks).
        .target(name: "ChexpertSample", dependencies: ["CTurboJPEG", "ChexpertCore"]),
        // Static Swift runtime here too: the wheel ships this executable, with no toolchain.
        .executableTarget(
            name: "chexpert-sample", dependencies: ["ChexpertSample"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        .testTarget(
            name: "ChexpertTests",
            dependencies: ["ChexpertCore", "ChexpertABI", "CChexpertABI", "CChexpertLimits", "ChexpertSample", "CTurboJPEG"]),
    ]
)
