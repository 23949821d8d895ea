/// An open CheXpert dataset: its layout (`Release`), the splits' parsed
/// CSVs (train and validation always, test where its label file is), and
/// the reading settings. Reading examples is safe from any number of threads at
/// once; each call allocates its own decompressor and buffers.
///
/// Memory held: the split tables (`memoryUsage`), fixed after `init`.
package final class Dataset: @unchecked Sendable {
    /// Largest CSV accepted (`CHEXPERT_MAX_CSV_BYTES`).
    package static let maxCSVBytes = 1 << 30

    package let layout: DatasetLayout
    /// The rows the splits hold (`CHEXPERT_KEY_SELECT`), fixed at open.
    package let selection: Selection
    /// Whether `Path` cells were confined to the dataset folder
    /// (CHEXPERT_KEY_CONFINE_PATHS), fixed at open.
    package let confinesPaths: Bool
    /// Where the train split's labels came from (CHEXPERT_KEY_LABELS), fixed at open.
    package let labelSource: LabelSource
    /// train, validation and, when `hasTest`, test.
    private let tables: [SplitTable]
    /// The files each split was read from (train: train.csv, and the label
    /// file after a `+` when `labelSource` is not `.reports`).
    private let files: [String]
    private let settingsLock = Lock()
    private var storedSettings = ReadSettings()

    /// Opens the dataset at `root` (see `DatasetLayout`), parses both CSVs
    /// completely, then keeps the rows `selection` selects.
    /// C: `chexpert_dataset_open`.
    /// - Throws: `.notFound`, `.io`, `.csv`, `.limit`, `.noMemory`;
    ///   `.invalidArgument` for an AP/PA selection without an `AP/PA` column.
    package convenience init(root: String?, selection: Selection = .all,
                             settings: ReadSettings = ReadSettings(), confinePaths: Bool = true,
                             labels: LabelSource = .reports) throws(ChexpertError) {
        try self.init(rootBytes: root.map { Array($0.utf8) }, selection: selection, settings: settings,
                      confinePaths: confinePaths, labels: labels)
    }

    /// `init(root:selection:settings:)` with the root as bytes (a path need
    /// not be UTF-8).
    /// - Parameter confinePaths: refuse `Path` cells that leave the dataset
    ///   folder (`PathConfinement`; CHEXPERT_KEY_CONFINE_PATHS).
    /// - Parameter labels: the train split's label source; a label file is
    ///   joined to train.csv by `Path` (`LabelFile`).
    package init(rootBytes root: [UInt8]?, selection: Selection = .all,
                 settings: ReadSettings = ReadSettings(), confinePaths: Bool = true,
                 labels: LabelSource = .reports) throws(ChexpertError) {
        let layout = try DatasetLayout(rootBytes: root)
        let confinement = confinePaths ? PathConfinement(layout: layout) : nil
        let buffer = ScratchBuffer()
        var tables: [SplitTable] = []
        var files = Split.tfdsSplits.map { layout.csvPath($0) }
        for split in Split.tfdsSplits {
            let path = layout.csvPath(split)
            let cPath = layout.csvCPath(split)
            let size = try cPath.withUnsafeBufferPointer { (chars) throws(ChexpertError) -> Int in
                guard let base = chars.baseAddress else { throw ChexpertError(.internal, "empty path") }
                return try FileReader.read(path: base, displayPath: path, maxBytes: Self.maxCSVBytes, into: buffer)
            }
            tables.append(try SplitTable(csv: UnsafeBufferPointer(start: buffer.pointer, count: size), file: path,
                                         confinement: confinement))
        }
        if let name = labels.fileName {
            let found = layout.searchFolders.map { $0 + [UInt8(ascii: "/")] + Array(name.utf8) }
                .first(where: TestSplitReader.isFile)
            guard let path = found else {
                throw ChexpertError(.notFound, "labels '\(labels.name)' needs \(name); looked in \(layout.searchFolders.map { DatasetLayout.display($0) }.joined(separator: " and "))")
            }
            let file = DatasetLayout.display(path)
            let size = try DatasetLayout.cPath(path).withUnsafeBufferPointer { (chars) throws(ChexpertError) -> Int in
                guard let base = chars.baseAddress else { throw ChexpertError(.internal, "empty path") }
                return try FileReader.read(path: base, displayPath: file, maxBytes: Self.maxCSVBytes, into: buffer)
            }
            let labelFile = try LabelFile(csv: UnsafeBufferPointer(start: buffer.pointer, count: size), file: file,
                                          keyColumns: ["Path"], labelNames: tables[0].labelNames)
            tables[0] = try tables[0].joiningLabels(labelFile, labelFile: file, file: files[0])
            files[0] += " + " + file
        }
        if let (test, file) = try TestSplitReader.read(layout: layout, labelNames: tables[1].labelNames,
                                                      confinement: confinement, maxCSVBytes: Self.maxCSVBytes) {
            tables.append(test)
            files.append(file)
        }
        // Selection after every CSV parsed: a CSV error comes before a selection error.
        tables = try tables.enumerated().map { (position, table) throws(ChexpertError) in
            try table.selecting(selection, file: files[position])
        }
        self.layout = layout
        self.labelSource = labels
        self.files = files
        self.selection = selection
        self.confinesPaths = confinePaths
        self.storedSettings = settings
        self.tables = tables
    }

    /// The parsed CSV of `split`. Callers check `hasSplit` first: without a
    /// test split, `.test` gives the validation table (the C API refuses
    /// the split before, with CHEXPERT_E_NOT_FOUND).
    package func table(_ split: Split) -> SplitTable {
        tables[split.rawValue < tables.count ? split.rawValue : Split.validation.rawValue]
    }

    /// Whether the dataset has `split`: train and validation always, test
    /// when its label file was found. C: `chexpert_dataset_has_split`.
    package func hasSplit(_ split: Split) -> Bool { split.rawValue < tables.count }

    /// The file(s) `split` was read from, for messages.
    package func file(_ split: Split) -> String {
        files[split.rawValue < files.count ? split.rawValue : Split.validation.rawValue]
    }

    /// The release detected at open. C: `chexpert_dataset_release`.
    package var release: Release { layout.release }

    /// A consistent copy of the reading settings (what a call uses).
    /// C: `chexpert_dataset_get_option`.
    package var settings: ReadSettings { settingsLock.withLock { storedSettings } }

    /// Changes the settings for later calls. C: `chexpert_dataset_set_option`.
    /// - Parameter change: applied under the settings lock.
    package func updateSettings(_ change: (inout ReadSettings) -> Void) {
        settingsLock.withLock { change(&storedSettings) }
    }

    /// Bytes held for this dataset. C: `chexpert_dataset_memory_usage`.
    package var memoryUsage: Int {
        tables.reduce(0) { $0 + $1.memoryUsage } + layout.memoryUsage + MemoryLayout<Dataset>.size
    }

    /// Decodes example `index` into `destination`, or only reads its JPEG
    /// header when `destination` is nil (a size query).
    /// C: `chexpert_example_image`.
    /// - Parameters:
    ///   - destination: the caller's buffer, or nil.
    ///   - shapeRead: called with the image's shape once its header is read,
    ///     also for a size query and when the buffer then turns out too small.
    /// - Throws: `.outOfRange`, `.notFound`, `.io`, `.image`, `.limit`,
    ///   `.noMemory`; `.bufferTooSmall` (nothing written).
    package func readImage(split: Split, index: Int64, into destination: UnsafeMutableBufferPointer<UInt8>?,
                           shapeRead: (ImageShape) -> Void) throws(ChexpertError) {
        let table = table(split)
        let row = try table.checkedIndex(index, split: split)
        let settings = self.settings
        let decoder = try ExampleDecoder()
        let shape = try decoder.load(table, index: row, layout: layout, settings: settings)
        shapeRead(shape)
        guard let destination else { return }
        guard let base = destination.baseAddress, destination.count >= shape.byteCount else {
            throw ChexpertError(.bufferTooSmall(needed: shape.byteCount),
                                "out holds \(destination.count) bytes; example \(index) of '\(split.name)' (\(shape.height)x\(shape.width)x3) needs \(shape.byteCount)")
        }
        try decoder.decodeLoaded(shape: shape, dct: settings.dct, into: base, layout: layout)
    }
}
