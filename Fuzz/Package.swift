// swift-tools-version:6.0
// Fuzzing harnesses (libFuzzer) over the library's own sources, which the
// Sources/ symlinks share with the main package. Built and run by
// scripts/fuzz.sh with `-sanitize=fuzzer,address -parse-as-library`: every
// Swift target is coverage-instrumented and checked by AddressSanitizer, and
// libFuzzer supplies `main`.
import PackageDescription

let package = Package(
    name: "chexpert-fuzz",
    targets: [
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),
        .target(name: "CChexpertABI", path: "Sources/CChexpertABI", publicHeadersPath: "include"),
        .target(name: "CChexpertLimits", dependencies: ["CChexpertABI"], path: "Sources/CChexpertLimits"),
        .target(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "ChexpertCore", dependencies: ["CTurboJPEG", "CSystem"]),
        .target(name: "ChexpertABI", dependencies: ["ChexpertCore", "CChexpertABI", "CChexpertLimits"]),
        .target(name: "ChexpertSample", dependencies: ["CTurboJPEG", "ChexpertCore"]),
        .target(name: "FuzzSupport"),
        // CSV bytes -> SplitTable, then selection, targets and the order over it.
        .executableTarget(name: "fuzz-csv", dependencies: ["ChexpertCore", "FuzzSupport"]),
        // JPEG bytes -> header, decode (fast/accurate, RGB/grey), resample.
        .executableTarget(name: "fuzz-jpeg", dependencies: ["ChexpertCore", "FuzzSupport"]),
        // Bytes -> a program of C API calls with random arguments on a small tree.
        .executableTarget(name: "fuzz-abi", dependencies: ["ChexpertABI", "CChexpertABI", "ChexpertSample", "FuzzSupport"]),
    ]
)
