import Glibc

/// Where a CheXpert release lives on disk (`Release`) and how a CSV `Path`
/// maps to an image file. Detected at open, in this order (docs/releases.md):
/// 1. `small`, TFDS's `manual_dir`: `root/CheXpert-v1.0-small/{train.csv,
///    valid.csv}`; an image is `root/<Path>` (TFDS's `os.path.join(manual_dir,
///    Path)`). Reported as `smallNested` when `root` is itself named
///    `CheXpert-v1.0-small` (the Kaggle double nest, opened one level down).
/// 2. The dataset folder itself, whatever its name: `root/{train.csv,
///    valid.csv}`; an image is `root/<Path without its first component>` when
///    `Path` starts with `CheXpert-v1.0-small/` or `CheXpert-v1.0/`, else
///    `root/<Path>`. `full` when `root` is named `CheXpert-v1.0` (any case),
///    else `small`.
/// 3. `smallNested`: `root/CheXpert-v1.0-small/CheXpert-v1.0-small/train.csv`;
///    an image is `root/CheXpert-v1.0-small/<Path>`.
/// 4. `full`: `root/CheXpert-v1.0/{train.csv, valid.csv}`; an image is
///    `root/<Path>`.
/// 5. `aimi`: `root` holds batch folders (`AIMIFolders`): the CSVs are in the
///    validation batch; a `Path` `CheXpert-v1.0/train/patientN/rest` is
///    `<the train batch folder holding patientN>/patientN/rest` (`PatientIndex`),
///    any other `CheXpert-v1.0/rest` is `<validation batch>/rest`.
/// An absolute `Path` is used as it is in all.
///
/// Paths are bytes, as the kernel sees them: a root that is not UTF-8 works
/// (messages show it with U+FFFD in place of invalid bytes).
package struct DatasetLayout: Sendable {
    /// TFDS's folder name for the small release.
    package static let folderName = "CheXpert-v1.0-small"
    /// The full-size release's folder name, also its `Path` prefix.
    package static let fullFolderName = "CheXpert-v1.0"

    /// The release detected.
    package let release: Release
    /// The folder holding train.csv and valid.csv, as bytes (no NUL).
    package let datasetFolderBytes: [UInt8]
    /// The folder given (resolved): for AIMI the download's top folder.
    package let rootBytes: [UInt8]
    /// What relative `Path` cells are joined to, with a trailing `/` (AIMI:
    /// the validation batch, for non-train Paths after the prefix).
    let imageBase: [UInt8]
    /// The `Path` prefixes removed before joining (layout 2; AIMI: the
    /// `CheXpert-v1.0/` prefix), or none.
    let strippedPrefixes: [[UInt8]]
    /// The first `Path` component the layout expects (confinement).
    let pathFolder: [UInt8]
    /// AIMI: which train batch holds each patient.
    let patients: PatientIndex?

    /// The dataset folder, for messages.
    package var datasetFolder: String { Self.display(datasetFolderBytes) }

    /// Where label files (`train_cheXbert.csv`, ...) and the test set's label
    /// file are looked for, in order: the dataset folder, then the folder
    /// given when it differs.
    package var searchFolders: [[UInt8]] {
        rootBytes == datasetFolderBytes ? [datasetFolderBytes] : [datasetFolderBytes, rootBytes]
    }

    /// What the test split's example names start with: the `Path` prefix of
    /// this layout's images under the dataset folder (`CheXpert-v1.0-small/`
    /// or `CheXpert-v1.0/`), so `<prefix>test/...` is `<dataset folder>/test/...`.
    package var testNamePrefix: [UInt8] { pathFolder + [UInt8(ascii: "/")] }

    /// Bytes held (the patient index included).
    package var memoryUsage: Int {
        datasetFolderBytes.count + rootBytes.count + imageBase.count + pathFolder.count
            + strippedPrefixes.reduce(0) { $0 + $1.count } + (patients?.memoryUsage ?? 0)
    }

    /// Looks up an environment variable: its value as bytes, or nil if unset.
    package typealias Environment = (String) -> [UInt8]?

    /// The process environment (`getenv`), what the C API uses. Tests pass
    /// their own lookup instead of changing the process environment, which
    /// would race with `getenv` on other threads (glibc's `setenv` is not
    /// thread-safe against readers). A value is copied up to
    /// `maxPathBytes + 1` bytes (longer is then refused by the open).
    package static func processEnvironment(_ name: String) -> [UInt8]? {
        getenv(name).map { bytes($0, upTo: maxPathBytes + 1) }
    }

    /// Longest root or path argument accepted, in bytes: 65,536 (16 times
    /// PATH_MAX, so every path the kernel could open, and the hostile-input
    /// corpus's deeper-than-PATH_MAX root, still gets its own error). Longer
    /// is `.limit` naming the argument, refused before it is copied: the
    /// paths and their messages are Swift memory sized by them.
    package static let maxPathBytes = 65_536

    /// A C path argument as bytes (not necessarily UTF-8).
    /// - Parameter argument: its name, for the message.
    /// - Throws: `.limit` when it is longer than `maxPathBytes` (only
    ///   `maxPathBytes + 1` bytes are looked at).
    package static func pathBytes(_ string: UnsafePointer<CChar>, argument: String) throws(ChexpertError) -> [UInt8] {
        let length = strnlen(string, maxPathBytes + 1)
        guard length <= maxPathBytes else {
            throw ChexpertError(.limit, "\(argument) is longer than \(maxPathBytes) bytes, the longest path argument accepted (docs/semantics.md)")
        }
        return bytes(string, upTo: length)
    }

    /// `init(rootBytes:environment:)` with a String root.
    package init(root: String?, environment: Environment = DatasetLayout.processEnvironment) throws(ChexpertError) {
        try self.init(rootBytes: root.map { Array($0.utf8) }, environment: environment)
    }

    /// Resolves `root` (nil: `$CHEXPERT_ROOT`, else TFDS's default manual dir
    /// `$HOME/tensorflow_datasets/downloads/manual`) to an absolute path and
    /// detects the release in it.
    /// - Parameter environment: where `CHEXPERT_ROOT` and `HOME` are read
    ///   (default: the process environment).
    /// - Throws: `.notFound` listing the layouts tried and what the folder
    ///   holds; `.invalidArgument` for an empty root; `.noMemory`, `.limit`.
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
        guard given.count <= Self.maxPathBytes else {
            let source = root != nil ? "root" : "the root from CHEXPERT_ROOT or HOME"
            throw ChexpertError(.limit, "\(source) is longer than \(Self.maxPathBytes) bytes, the longest path argument accepted (docs/semantics.md)")
        }
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
        let small = Array(Self.folderName.utf8), full = Array(Self.fullFolderName.utf8)
        let baseSlash = base == [slash] ? [slash] : base + [slash]
        let lastName = Array(base.split(separator: slash).last ?? [])
        let nested = baseSlash + small
        let doubleNested = nested + [slash] + small
        let fullFolder = baseSlash + full
        rootBytes = base
        if Self.holdsCSV(nested) {
            release = lastName == small ? .smallNested : .small
            datasetFolderBytes = nested
            imageBase = baseSlash
            strippedPrefixes = []
            pathFolder = small
            self.patients = nil
        } else if Self.holdsCSV(base) {
            release = Self.lowercased(lastName) == Self.lowercased(full) ? .full : .small
            datasetFolderBytes = base
            imageBase = baseSlash
            strippedPrefixes = [small + [slash], full + [slash]]
            pathFolder = release == .full ? full : small
            self.patients = nil
        } else if Self.holdsCSV(doubleNested) {
            release = .smallNested
            datasetFolderBytes = doubleNested
            imageBase = nested + [slash]
            strippedPrefixes = []
            pathFolder = small
            self.patients = nil
        } else if Self.holdsCSV(fullFolder) {
            release = .full
            datasetFolderBytes = fullFolder
            imageBase = baseSlash
            strippedPrefixes = []
            pathFolder = full
            self.patients = nil
        } else if let aimi = try AIMIFolders(top: base) {
            release = .aimi
            datasetFolderBytes = aimi.validation
            imageBase = aimi.validation + [slash]
            strippedPrefixes = [full + [slash]]
            pathFolder = full
            self.patients = try PatientIndex(folders: aimi.train)
        } else {
            let reason: String
            if resolveError != 0 && resolveError != ENOENT {
                reason = " (\(FileReader.describe(errno: resolveError)))"
            } else {
                reason = Self.isDirectory(base) ? "" : " (\(Self.display(given)) is not a directory)"
            }
            let found = DirectoryListing.summary(of: base) ?? "nothing"
            let aimiProblem = AIMIFolders.lastProblem(top: base)
            let problem = aimiProblem.isEmpty ? "" : " " + aimiProblem
            throw ChexpertError(.notFound, """
                no CheXpert dataset at \(Self.display(given))\(reason): expected \(Self.display(nested))/train.csv \
                and valid.csv (small, TFDS's manual_dir), or train.csv and valid.csv in the folder itself, in \
                \(Self.display(doubleNested)) (the Kaggle double nest) or in \(Self.display(fullFolder)) (full), \
                or the AIMI download's batch folders ('CheXpert-v1.0 batch 1 (validate & csv)' with valid.csv, \
                'CheXpert-v1.0 batch 2 (train 1)' ...); the folder holds \(found).\(problem) Download a release \
                from the Stanford AIMI site and pass its folder, or set CHEXPERT_ROOT (docs/releases.md)
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
    /// across calls, so the hot path does not allocate once it has grown;
    /// checked memory). AIMI train Paths cost one binary search of the
    /// patient index.
    /// - Throws: `.noMemory` (the path is then incomplete).
    func imagePath<C: Collection>(of name: C, into path: PathBuffer) throws(ChexpertError) where C.Element == UInt8 {
        path.removeAll()
        if name.first == UInt8(ascii: "/") {
            try path.append(name)
            return
        }
        guard let prefix = strippedPrefixes.first(where: { name.starts(with: $0) }) else {
            try path.append(imageBase)
            try path.append(name)
            return
        }
        let rest = name.dropFirst(prefix.count)
        if let patients, let (patient, afterTrain) = Self.trainPatient(rest) {
            guard let folder = patients.folder(of: patient) else {
                // Not in any train batch: a path that names the Path under
                // the download's top folder, so the read fails naming it.
                try path.append(rootBytes)
                try path.append(CollectionOfOne(UInt8(ascii: "/")))
                try path.append(name)
                return
            }
            try path.append(folder)
            try path.append(afterTrain)
            return
        }
        try path.append(imageBase)
        try path.append(rest)
    }

    /// `(N, "patientN/...")` for `train/patientN/...`, else nil.
    private static func trainPatient<C: Collection>(_ rest: C) -> (UInt64, C.SubSequence)? where C.Element == UInt8 {
        let train = Array("train/".utf8)
        guard rest.starts(with: train) else { return nil }
        let afterTrain = rest.dropFirst(train.count)
        let component = afterTrain.prefix { $0 != UInt8(ascii: "/") }
        guard let patient = PatientIndex.patientNumber(component) else { return nil }
        return (patient, afterTrain)
    }

    /// The image path of `name`, for messages.
    func displayPath(of path: PathBuffer) -> String {
        Self.display(path.bytes)
    }

    // MARK: - Byte paths

    static func holdsCSV(_ folder: [UInt8]) -> Bool {
        Split.tfdsSplits.contains { split in
            withCPath(folder + [UInt8(ascii: "/")] + Array(split.csvFileName.utf8)) { path in
                var info = stat()
                return stat(path, &info) == 0
            }
        }
    }

    static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    static func isDirectory(_ path: [UInt8]) -> Bool {
        withCPath(path) { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
    }

    /// The bytes of a C string, at most `limit` of them.
    static func bytes(_ string: UnsafePointer<CChar>, upTo limit: Int = Int.max) -> [UInt8] {
        UnsafeBufferPointer(start: string, count: strnlen(string, limit)).map { UInt8(bitPattern: $0) }
    }

    static func cPath(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    static func withCPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        cPath(bytes).withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return "".withCString(body) }  // never: holds the NUL
            return body(base)
        }
    }

    /// Bytes as text for messages (invalid UTF-8 shown as U+FFFD).
    package static func display<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }
}
