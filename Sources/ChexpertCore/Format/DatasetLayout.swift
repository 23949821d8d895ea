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
public struct DatasetLayout: Sendable {
    /// TFDS's folder name for the small release.
    public static let folderName = "CheXpert-v1.0-small"

    /// The folder holding train.csv and valid.csv.
    public let datasetFolder: String
    /// What relative `Path` cells are joined to, with a trailing `/`.
    let imageBase: [UInt8]
    /// The `Path` prefix removed before joining (layout 2), or empty.
    let strippedPrefix: [UInt8]

    /// Resolves `root` (nil: `$CHEXPERT_ROOT`, else TFDS's default manual dir
    /// `$HOME/tensorflow_datasets/downloads/manual`) to an absolute path.
    /// - Throws: `.notFound` listing the folders tried.
    public init(root: String?) throws(ChexpertError) {
        let given: String
        if let root {
            given = root
        } else if let env = getenv("CHEXPERT_ROOT"), env.pointee != 0 {
            given = String(cString: env)
        } else if let home = getenv("HOME"), home.pointee != 0 {
            given = String(cString: home) + "/tensorflow_datasets/downloads/manual"
        } else {
            throw ChexpertError(.notFound, "no dataset root given, and neither CHEXPERT_ROOT nor HOME is set")
        }
        guard !given.isEmpty else { throw ChexpertError(.invalidArgument, "root is an empty string") }
        // Absolute and canonical, so paths in messages and pickled roots do
        // not depend on the working directory.
        var base = given
        if let resolved = realpath(given, nil) {
            base = String(cString: resolved)
            free(resolved)
        }
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }

        let nested = base + "/" + Self.folderName
        if Self.holdsCSV(nested) {
            datasetFolder = nested
            imageBase = Array((base + "/").utf8)
            strippedPrefix = []
        } else if Self.holdsCSV(base) {
            datasetFolder = base
            imageBase = Array((base == "/" ? "/" : base + "/").utf8)
            strippedPrefix = Array((Self.folderName + "/").utf8)
        } else {
            let reason = FileReader.isDirectory(base) ? "" : " (\(given) is not a directory)"
            throw ChexpertError(.notFound, """
                no CheXpert dataset at \(given)\(reason): expected \(nested)/train.csv and valid.csv \
                (TFDS's manual_dir layout) or \(base)/train.csv and valid.csv. Download CheXpert-v1.0-small \
                from the Stanford AIMI site and pass the folder that contains \(Self.folderName), or set CHEXPERT_ROOT
                """)
        }
    }

    private static func holdsCSV(_ folder: String) -> Bool {
        Split.allCases.contains { FileReader.exists(folder + "/" + $0.csvFileName) }
    }

    /// The CSV file of `split`.
    public func csvPath(_ split: Split) -> String { datasetFolder + "/" + split.csvFileName }

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
        String(decoding: path.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
