extension SplitTable {
    /// Column names TFDS's builder looks up by name; label columns are taken by
    /// position (every header column after the fifth).
    static let pathColumn = "Path"
    static let viewColumn = "Frontal/Lateral"
    static let projectionColumn = "AP/PA"
    static let firstLabelColumn = 5

    /// Parses a split's CSV with the rules of TFDS's `chexpert` 3.1.0
    /// `_generate_examples` over Python's `csv.DictReader`.
    ///
    /// - Header: the first line. `Path` and `Frontal/Lateral` are found by
    ///   name; label columns are header columns 6 and on, by position. A name
    ///   that occurs twice takes the cell of its last occurrence (a Python dict).
    /// - Rows: empty lines are skipped; extra cells are ignored; a row without
    ///   a cell for a column it needs, a label cell other than `1.0`, `0.0`,
    ///   `-1.0` or empty, a view other than frontal/lateral (any case), an
    ///   empty `Path`, or a `Path` seen before (after `\` -> `/`, TFDS's key
    ///   normalisation) is an error.
    /// - The file must be UTF-8 without a byte-order mark and have a data row.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the file's path, for messages.
    /// - Throws: `.csv` naming `file`, the 1-based line and the column.
    /// - Complexity: O(n log n) in the number of rows (duplicate check).
    init(csv data: UnsafeBufferPointer<UInt8>, file: String) throws(ChexpertError) {
        func fail(_ message: String) -> ChexpertError { ChexpertError(.csv, "\(file): \(message)") }

        if data.isEmpty { throw fail("the file is empty; expected a header line starting with 'Path'") }
        if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF {
            throw fail("line 1: the file starts with a UTF-8 byte-order mark, so its first column is not 'Path' (TFDS fails with KeyError: 'Path'); save it without the BOM")
        }
        if String(validating: data, as: UTF8.self) == nil {
            throw fail("line \(Self.firstInvalidUTF8Line(data)): not valid UTF-8")
        }

        var reader = CSVRecordReader(data)
        var record = CSVRecordReader.Record()
        do throws(ChexpertError) {
            guard try reader.next(into: &record), record.count > 0 else {
                throw ChexpertError(.csv, "line 1: empty header line; expected a header starting with 'Path'")
            }
        } catch { throw fail(error.message) }

        let header = (0 ..< record.count).map { String(decoding: record.field($0), as: UTF8.self) }
        func lastColumn(named name: String) -> Int? { header.lastIndex(of: name) }
        guard let pathIndex = lastColumn(named: Self.pathColumn) else {
            throw fail("line 1: the header has no '\(Self.pathColumn)' column")
        }
        guard let viewIndex = lastColumn(named: Self.viewColumn) else {
            throw fail("line 1: the header has no '\(Self.viewColumn)' column")
        }
        let projectionIndex = lastColumn(named: Self.projectionColumn)
        let labelColumns = header.indices.dropFirst(Self.firstLabelColumn)
        // Cell each label column reads (its name's last occurrence).
        let labelSources = labelColumns.map { lastColumn(named: header[$0]) ?? $0 }
        func describeColumn(_ index: Int) -> String { "column \(index + 1) '\(header[index])'" }

        var nameBytes: [UInt8] = []
        var nameOffsets: [UInt32] = [0]
        var labelValues: [UInt8] = []
        var viewValues: [UInt8] = []
        var projectionValues: [UInt8] = []
        var lines: [Int] = []

        while true {
            do throws(ChexpertError) {
                guard try reader.next(into: &record) else { break }
            } catch { throw fail(error.message) }
            if record.count == 0 { continue }
            let line = record.line
            func missing(_ column: Int) -> ChexpertError {
                fail("line \(line): \(describeColumn(column)) has no cell (the row has \(record.count) cells, the header \(header.count))")
            }
            for (column, source) in zip(labelColumns, labelSources) {
                guard source < record.count else { throw missing(column) }
                let cell = record.field(source)
                guard let label = LabelClass(cell: cell) else {
                    throw fail("line \(line), \(describeColumn(column)): label cell \(Self.quoted(cell)) is not one of '1.0', '0.0', '-1.0' or empty")
                }
                labelValues.append(label.rawValue)
            }
            guard viewIndex < record.count else { throw missing(viewIndex) }
            guard let view = ImageView(cell: record.field(viewIndex)) else {
                throw fail("line \(line), \(describeColumn(viewIndex)): \(Self.quoted(record.field(viewIndex))) is neither 'Frontal' nor 'Lateral'")
            }
            viewValues.append(view.rawValue)
            let projectionCell = projectionIndex.flatMap { $0 < record.count ? record.field($0) : nil }
            projectionValues.append(Projection(view: view, cell: projectionCell).rawValue)
            guard pathIndex < record.count else { throw missing(pathIndex) }
            let path = record.field(pathIndex)
            guard !path.isEmpty else { throw fail("line \(line), \(describeColumn(pathIndex)): empty Path") }
            nameBytes.append(contentsOf: path)
            nameOffsets.append(UInt32(truncatingIfNeeded: nameBytes.count))  // < CSV size <= 1 GiB
            lines.append(line)
        }
        guard !viewValues.isEmpty else {
            throw fail("the file has a header but no data rows (TFDS refuses an empty split)")
        }

        self.labelNames = labelColumns.map { header[$0] }
        // Copies with capacity == count: the table's memory is what it holds.
        self.nameBytes = Self.compacted(nameBytes)
        self.nameOffsets = Self.compacted(nameOffsets)
        self.labelValues = Self.compacted(labelValues)
        self.viewValues = Self.compacted(viewValues)
        self.projectionValues = Self.compacted(projectionValues)
        self.hasProjectionColumn = projectionIndex != nil
        var counts = [Int](repeating: 0, count: Projection.allCases.count)
        for value in projectionValues { counts[Int(value)] += 1 }
        self.csvProjectionCounts = counts
        if let (first, second) = self.firstDuplicateName() {
            throw fail("line \(lines[second]): Path \(Self.quoted(self.name(at: second))) repeats line \(lines[first]) (TFDS: two examples share the same key)")
        }
    }

    /// The first pair of examples (in file order of the later one) whose
    /// names are equal after TFDS's key normalisation (`\` -> `/`).
    private func firstDuplicateName() -> (Int, Int)? {
        func normalised(_ byte: UInt8) -> UInt8 { byte == UInt8(ascii: "\\") ? UInt8(ascii: "/") : byte }
        func less(_ a: Int, _ b: Int) -> Bool {
            let x = name(at: a), y = name(at: b)
            for (p, q) in zip(x, y) where normalised(p) != normalised(q) { return normalised(p) < normalised(q) }
            return x.count < y.count || (x.count == y.count && a < b)
        }
        let order = (0 ..< count).sorted(by: less)
        var best: (Int, Int)?
        for (a, b) in zip(order, order.dropFirst()) {
            let x = name(at: a), y = name(at: b)
            guard x.count == y.count, zip(x, y).allSatisfy({ normalised($0) == normalised($1) }) else { continue }
            // Sorted ties keep file order, so `a` came first in the file.
            if let current = best, current.1 <= b { continue }
            best = (a, b)
        }
        return best
    }

    /// A copy of `array` in a new buffer of exactly its size (growing an
    /// array leaves up to half of its capacity unused).
    private static func compacted<T: BitwiseCopyable>(_ array: [T]) -> [T] {
        [T](unsafeUninitializedCapacity: array.count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: array)
        }
    }

    /// A cell for messages: quoted, with control and non-ASCII bytes escaped.
    static func quoted<C: Collection>(_ cell: C) -> String where C.Element == UInt8 {
        var text = "'"
        for byte in cell.prefix(200) {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "'") && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return text + (cell.count > 200 ? "'..." : "'")
    }

    /// The 1-based line holding the first byte sequence that is not UTF-8.
    private static func firstInvalidUTF8Line(_ data: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1
        var start = 0
        for i in data.indices where data[i] == UInt8(ascii: "\n") || i == data.count - 1 {
            if String(validating: UnsafeBufferPointer(rebasing: data[start ... i]), as: UTF8.self) == nil {
                return line
            }
            line += 1
            start = i + 1
        }
        return line
    }
}
