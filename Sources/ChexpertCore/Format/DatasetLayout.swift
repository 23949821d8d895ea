import Glibc

/// Where a CheXpert-v1.0-small copy lives on disk and how a CSV `Path` maps
/// to an image file.
///
/// Two layouts are recognised, tried in this order:
/// 1. TFDS's `manual_dir`: `root/CheXpert-v1.0-small/{train.csv, valid.csv}`.
///    An image is `root/<Path>` (TFDS's `os.path.join(manual_dir, Path)`).
/// 2. The dataset folder itself, whatever its name: `root/{train.csv,
///    valid.csv}`. An image is `root/<Path without its first component>` when
///    `Path` starts with `CheXpert-v1.0-small/`, else `root/<Path>`.
/// An absolute `Path` is used as it is in both.
///
/// Paths are bytes, as the kernel sees them: a root that is not UTF-8 works
/// (messages show it with U+FFFD in place of invalid bytes).
package struct DatasetLayout: Sendable {
    /// TFDS's folder name for the small release.
    package static let folderName = "CheXpert-v1.0-small"

    /// The folder holding train.csv and valid.csv, as bytes (no NUL).
    package let datasetFolderBytes: [UInt8]
    /// What relative `Path` cells are joined to, with a trailing `/`.
    let imageBase: [UInt8]
    /// The `Path` prefix removed before joining (layout 2), or empty.
    let strippedPrefix: [UInt8]

    /// The dataset folder, for messages.
    package var datasetFolder: String { Self.display(datasetFolderBytes) }

    /// Looks up an environment variable: its value as bytes, or nil if unset.
    package typealias Environment = (String) -> [UInt8]?

    /// The process environment (`getenv`), what the C API uses. Tests pass
    /// their own lookup instead of changing the process environment, which
    /// would race with `getenv` on other threads (glibc's `setenv` is not
    /// thread-safe against readers).
    package static func processEnvironment(_ name: String) -> [UInt8]? {
        getenv(name).map { bytes($0) }
    }

    /// `init(rootBytes:environment:)` with a String root.
    package init(root: String?, environment: Environment = DatasetLayout.processEnvironment) throws(ChexpertError) {
        try self.init(rootBytes: root.map { Array($0.utf8) }, environment: environment)
    }

    /// Resolves `root` (nil: `$CHEXPERT_ROOT`, else TFDS's default manual dir
    /// `$HOME/tensorflow_datasets/downloads/manual`) to an absolute path.
    /// - Parameter environment: where `CHEXPERT_ROOT` and `HOME` are read
    ///   (default: the process environment).
    /// - Throws: `.notFound` listing the folders tried; `.invalidArgument`
    ///   for an empty root.
    package init(rootBytes root: [UInt8]?,
                 environment: Environment = DatasetLayout.processEnvironment) throws(ChexpertError) {
        let given: [UInt8]
        if let root {
            given = root
        } else if let env = environment("CHEXPERT_ROOT"), !env.isEmpty {
            given = env
        } else if let home = environment("HOME"), !home.isEmpty {
            given = home + Array("/tensorflow_datasets/downloads/manual".utf8)
        } else {
            throw ChexpertError(.notFound, "no dataset root given, and neither CHEXPERT_ROOT nor HOME is set")
        }
        guard !given.isEmpty else { throw ChexpertError(.invalidArgument, "root is an empty string") }
        guard !given.contains(0) else { throw ChexpertError(.invalidArgument, "root contains a NUL byte") }
        // Absolute and canonical, so paths in messages and pickled roots do
        // not depend on the working directory.
        var base = given
        var resolveError: Int32 = 0
        if let resolved = Self.withCPath(given, { realpath($0, nil) }) {
            base = Self.bytes(resolved)
            free(resolved)
        } else {
            resolveError = errno
        }
        while base.count > 1, base.last == UInt8(ascii: "/") { base.removeLast() }

        let slash = UInt8(ascii: "/")
        let nested = base + [slash] + Array(Self.folderName.utf8)
        if Self.holdsCSV(nested) {
            datasetFolderBytes = nested
            imageBase = base + [slash]
            strippedPrefix = []
        } else if Self.holdsCSV(base) {
            datasetFolderBytes = base
            imageBase = base == [slash] ? [slash] : base + [slash]
            strippedPrefix = Array((Self.folderName + "/").utf8)
        } else {
            let reason: String
            if resolveError != 0 && resolveError != ENOENT {
                reason = " (\(FileReader.describe(errno: resolveError)))"
            } else {
                reason = Self.isDirectory(base) ? "" : " (\(Self.display(given)) is not a directory)"
            }
            throw ChexpertError(.notFound, """
                no CheXpert dataset at \(Self.display(given))\(reason): expected \(Self.display(nested))/train.csv \
                and valid.csv (TFDS's manual_dir layout) or \(Self.display(base))/train.csv and valid.csv. Download \
                CheXpert-v1.0-small from the Stanford AIMI site and pass the folder that contains \(Self.folderName), \
                or set CHEXPERT_ROOT
                """)
        }
    }

    /// The NUL-terminated path of `split`'s CSV file.
    package func csvCPath(_ split: Split) -> [CChar] {
        Self.cPath(datasetFolderBytes + [UInt8(ascii: "/")] + Array(split.csvFileName.utf8))
    }

    /// The CSV file of `split`, for messages.
    package func csvPath(_ split: Split) -> String { datasetFolder + "/" + split.csvFileName }

    /// Writes the NUL-terminated image path of `name` into `path` (reused
    /// across calls, so the hot path does not allocate once it has grown).
    func imagePath<C: Collection>(of name: C, into path: inout [CChar]) where C.Element == UInt8 {
        path.removeAll(keepingCapacity: true)
        if name.first == UInt8(ascii: "/") {
            for byte in name { path.append(CChar(bitPattern: byte)) }
        } else {
            for byte in imageBase { path.append(CChar(bitPattern: byte)) }
            let rest = (!strippedPrefix.isEmpty && name.starts(with: strippedPrefix))
                ? name.dropFirst(strippedPrefix.count) : name[...]
            for byte in rest { path.append(CChar(bitPattern: byte)) }
        }
        path.append(0)
    }

    /// The image path of `name`, for messages.
    func displayPath(of path: [CChar]) -> String {
        Self.display(path.dropLast().map { UInt8(bitPattern: $0) })
    }

    // MARK: - Byte paths

    private static func holdsCSV(_ folder: [UInt8]) -> Bool {
        Split.allCases.contains { split in
            withCPath(folder + [UInt8(ascii: "/")] + Array(split.csvFileName.utf8)) { path in
                var info = stat()
                return stat(path, &info) == 0
            }
        }
    }

    private static func isDirectory(_ path: [UInt8]) -> Bool {
        withCPath(path) { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
    }

    static func bytes(_ string: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: string, count: strlen(string))).map { UInt8(bitPattern: $0) }
    }

    static func cPath(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    static func withCPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        cPath(bytes).withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return "".withCString(body) }  // never: holds the NUL
            return body(base)
        }
    }

    /// Bytes as text for messages (invalid UTF-8 shown as U+FFFD).
    static func display<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }
}
