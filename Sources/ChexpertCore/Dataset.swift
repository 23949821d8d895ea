/// An open CheXpert dataset: its layout, both splits' parsed CSVs, and the
/// decode options. Reading examples is safe from any number of threads at
/// once; each call allocates its own decompressor and buffers.
///
/// Memory held: the split tables (`memoryUsage`), fixed after `init`.
public final class Dataset: @unchecked Sendable {
    /// Largest CSV accepted (`CHEXPERT_MAX_CSV_BYTES`).
    public static let maxCSVBytes = 1 << 30

    public let layout: DatasetLayout
    /// The rows the splits hold (`CHEXPERT_OPTION_SELECT`), fixed at open.
    public let selection: Selection
    private let tables: [SplitTable]
    private let optionsLock = Lock()
    private var storedOptions = DecodeOptions()

    /// Opens the dataset at `root` (see `DatasetLayout`), parses both CSVs
    /// completely, then keeps the rows `selection` selects.
    /// C: `chexpert_dataset_open`, `chexpert_dataset_open_with`.
    /// - Throws: `.notFound`, `.io`, `.csv`, `.limit`, `.noMemory`;
    ///   `.invalidArgument` for an AP/PA selection without an `AP/PA` column.
    public convenience init(root: String?, selection: Selection = .all,
                            options: DecodeOptions = DecodeOptions()) throws(ChexpertError) {
        try self.init(rootBytes: root.map { Array($0.utf8) }, selection: selection, options: options)
    }

    /// `init(root:selection:options:)` with the root as bytes (a path need
    /// not be UTF-8).
    public init(rootBytes root: [UInt8]?, selection: Selection = .all,
                options: DecodeOptions = DecodeOptions()) throws(ChexpertError) {
        let layout = try DatasetLayout(rootBytes: root)
        let buffer = ScratchBuffer()
        var tables: [SplitTable] = []
        for split in Split.allCases {
            let path = layout.csvPath(split)
            let cPath = layout.csvCPath(split)
            let size = try cPath.withUnsafeBufferPointer { (chars) throws(ChexpertError) -> Int in
                guard let base = chars.baseAddress else { throw ChexpertError(.internal, "empty path") }
                return try FileReader.read(path: base, displayPath: path, maxBytes: Self.maxCSVBytes, into: buffer)
            }
            tables.append(try SplitTable(csv: UnsafeBufferPointer(start: buffer.pointer, count: size), file: path))
        }
        for split in Split.allCases {
            tables[split.rawValue] = try tables[split.rawValue].selecting(selection, file: layout.csvPath(split))
        }
        self.layout = layout
        self.selection = selection
        self.storedOptions = options
        self.tables = tables
    }

    /// The parsed CSV of `split`.
    public func table(_ split: Split) -> SplitTable { tables[split.rawValue] }

    /// A consistent copy of the decode options.
    public var options: DecodeOptions { optionsLock.withLock { storedOptions } }

    /// Sets one option. C: `chexpert_dataset_set_option`.
    /// - Throws: `.invalidArgument`.
    public func setOption(_ option: DecodeOption, to value: Int64) throws(ChexpertError) {
        try optionsLock.withLock { () throws(ChexpertError) in try option.set(value, in: &storedOptions) }
    }

    /// Bytes held for this dataset. C: `chexpert_dataset_memory_usage`.
    public var memoryUsage: Int {
        tables.reduce(0) { $0 + $1.memoryUsage } + layout.datasetFolderBytes.count
            + layout.imageBase.count + layout.strippedPrefix.count + MemoryLayout<Dataset>.size
    }

    /// The shape of example `index`'s image, from its JPEG header.
    /// C: `chexpert_example_shape`.
    /// - Throws: `.outOfRange`, `.notFound`, `.io`, `.image`, `.limit`, `.noMemory`.
    public func shape(split: Split, index: Int64) throws(ChexpertError) -> ImageShape {
        let table = table(split)
        let row = try table.checkedIndex(index, split: split)
        return try ExampleDecoder().load(table, index: row, layout: layout, options: options)
    }

    /// Decodes example `index` into `destination`.
    /// C: `chexpert_example_image`.
    /// - Parameters:
    ///   - destination: `capacity` bytes.
    ///   - shapeRead: called with the image's shape once its header is read,
    ///     also when the buffer then turns out too small.
    /// - Throws: `.bufferTooSmall` (nothing written), and as `shape`.
    public func readImage(split: Split, index: Int64, into destination: UnsafeMutablePointer<UInt8>,
                          capacity: Int, shapeRead: (ImageShape) -> Void) throws(ChexpertError) {
        let table = table(split)
        let row = try table.checkedIndex(index, split: split)
        let options = self.options
        let decoder = try ExampleDecoder()
        let shape = try decoder.load(table, index: row, layout: layout, options: options)
        shapeRead(shape)
        guard capacity >= shape.byteCount else {
            throw ChexpertError(.bufferTooSmall(needed: shape.byteCount),
                                "image buffer holds \(capacity) bytes; example \(index) of '\(split.name)' (\(shape.height)x\(shape.width)x3) needs \(shape.byteCount)")
        }
        try decoder.decodeLoaded(shape: shape, dct: options.dct, into: destination, layout: layout)
    }
}
