/// An open CheXpert dataset: its layout, both splits' parsed CSVs, and the
/// reading settings. Reading examples is safe from any number of threads at
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
    private let tables: [SplitTable]
    private let settingsLock = Lock()
    private var storedSettings = ReadSettings()

    /// Opens the dataset at `root` (see `DatasetLayout`), parses both CSVs
    /// completely, then keeps the rows `selection` selects.
    /// C: `chexpert_dataset_open`.
    /// - Throws: `.notFound`, `.io`, `.csv`, `.limit`, `.noMemory`;
    ///   `.invalidArgument` for an AP/PA selection without an `AP/PA` column.
    package convenience init(root: String?, selection: Selection = .all,
                             settings: ReadSettings = ReadSettings(), confinePaths: Bool = true) throws(ChexpertError) {
        try self.init(rootBytes: root.map { Array($0.utf8) }, selection: selection, settings: settings,
                      confinePaths: confinePaths)
    }

    /// `init(root:selection:settings:)` with the root as bytes (a path need
    /// not be UTF-8).
    /// - Parameter confinePaths: refuse `Path` cells that leave the dataset
    ///   folder (`PathConfinement`; CHEXPERT_KEY_CONFINE_PATHS).
    package init(rootBytes root: [UInt8]?, selection: Selection = .all,
                 settings: ReadSettings = ReadSettings(), confinePaths: Bool = true) throws(ChexpertError) {
        let layout = try DatasetLayout(rootBytes: root)
        let confinement = confinePaths ? PathConfinement(layout: layout) : nil
        let buffer = ScratchBuffer()
        var tables: [SplitTable] = []
        for split in Split.allCases {
            let path = layout.csvPath(split)
            let cPath = layout.csvCPath(split)
            let size = try cPath.withUnsafeBufferPointer { (chars) throws(ChexpertError) -> Int in
                guard let base = chars.baseAddress else { throw ChexpertError(.internal, "empty path") }
                return try FileReader.read(path: base, displayPath: path, maxBytes: Self.maxCSVBytes, into: buffer)
            }
            tables.append(try SplitTable(csv: UnsafeBufferPointer(start: buffer.pointer, count: size), file: path,
                                         confinement: confinement))
        }
        // Selection after both CSVs parsed: a CSV error comes before a selection error.
        tables = try tables.enumerated().map { (position, table) throws(ChexpertError) in
            try table.selecting(selection, file: layout.csvPath(position == 0 ? .train : .validation))
        }
        self.layout = layout
        self.selection = selection
        self.confinesPaths = confinePaths
        self.storedSettings = settings
        self.tables = tables
    }

    /// The parsed CSV of `split`.
    package func table(_ split: Split) -> SplitTable {
        switch split {
        case .train: tables[0]
        case .validation: tables[1]
        }
    }

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
        tables.reduce(0) { $0 + $1.memoryUsage } + layout.datasetFolderBytes.count
            + layout.imageBase.count + layout.strippedPrefix.count + MemoryLayout<Dataset>.size
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
