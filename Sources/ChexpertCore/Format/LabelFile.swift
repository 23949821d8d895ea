/// A label file read by header name: its `Path` cells and, per row, the
/// label columns a caller asks for (`train_cheXbert.csv`,
/// `train_visualCheXbert.csv`; docs/releases.md).
///
/// - Columns are found by header name (a name's last occurrence, as a Python
///   dict); other columns, metadata included, are not read.
/// - Label cells: `1.0` or `1` positive, `0.0` or `0` negative, `-1.0` or `-1`
///   uncertain, empty unmentioned; anything else is `.csv` with line and
///   column. (CheXbert writes train.csv's cells; VisualCheXbert only 1 and 0.)
/// - CSV syntax, UTF-8 and byte-order-mark rules as `SplitTable(csv:)`.
///
/// Memory: the Path bytes, 4 bytes of offset and 4 of line number per row and
/// one byte per label cell, all checked allocations, freed after the join.
struct LabelFile {
    let names: CheckedArray<UInt8>
    let offsets: CheckedArray<UInt32>
    let lines: CheckedArray<UInt32>
    /// `count * labelCount` `LabelClass` raw values, in the asked order.
    let labels: CheckedArray<UInt8>
    let labelCount: Int

    var count: Int { lines.count }

    func name(at row: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[row])
        return UnsafeBufferPointer(rebasing: names.buffer[start ..< Int(offsets[row + 1])])
    }

    /// - Parameters:
    ///   - keyColumn: the column that keys rows (`Path` or `Study`).
    ///   - labelNames: the columns to read, in the order stored.
    ///   - binaryOnly: accept only 0/1 cells (the test set's ground truth).
    /// - Throws: `.csv` naming `file`, line and column; `.limit`, `.noMemory`.
    init(csv data: UnsafeBufferPointer<UInt8>, file: String, keyColumns: [String], labelNames: [String],
         binaryOnly: Bool = false) throws(ChexpertError) {
        func fail(_ message: String) -> ChexpertError { ChexpertError(.csv, "\(file): \(message)") }
        if data.isEmpty { throw fail("the file is empty; expected a header line") }
        if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF {
            throw fail("line 1: the file starts with a UTF-8 byte-order mark; save it without the BOM")
        }
        if let offset = SplitTable.firstInvalidUTF8Offset(data) {
            throw fail("line \(SplitTable.line(at: offset, in: data)): not valid UTF-8")
        }
        var reader = CSVRecordReader(data)
        var record = CSVRecordReader.Record()
        do throws(ChexpertError) {
            guard try reader.next(into: &record), record.count > 0 else {
                throw ChexpertError(.csv, "line 1: empty header line")
            }
        } catch { throw ChexpertError(error.code, "\(file): \(error.message)") }
        let header = (0 ..< record.count).map { String(decoding: record.field($0), as: UTF8.self) }
        var lastColumns: [String: Int] = [:]
        for (index, name) in header.enumerated() { lastColumns[name] = index }
        guard let keyIndex = keyColumns.lazy.compactMap({ lastColumns[$0] }).first else {
            throw fail("line 1: the header has no \(keyColumns.map { "'\($0)'" }.joined(separator: " or ")) column")
        }
        var sources: [Int] = []
        for name in labelNames {
            guard let column = lastColumns[name] else {
                throw fail("line 1: the header has no '\(name)' column (the label columns are found by name: \(labelNames.joined(separator: ", ")))")
            }
            sources.append(column)
        }
        let names = try CheckedArray<UInt8>(for: "\(file)'s key cells")
        let offsets = try CheckedArray<UInt32>(for: "\(file)'s rows")
        let lines = try CheckedArray<UInt32>(for: "\(file)'s rows")
        let labels = try CheckedArray<UInt8>(for: "\(file)'s label cells")
        try offsets.append(0)
        while true {
            do throws(ChexpertError) {
                guard try reader.next(into: &record) else { break }
            } catch { throw ChexpertError(error.code, "\(file): \(error.message)") }
            if record.count == 0 { continue }
            let line = record.line
            try labels.reserve(sources.count)
            for source in sources + [keyIndex] where source >= record.count {
                throw fail("line \(line): column \(source + 1) '\(header[source])' has no cell (the row has \(record.count) cells, the header \(header.count))")
            }
            for source in sources {
                let cell = record.field(source)
                guard let label = Self.labelClass(cell, binaryOnly: binaryOnly) else {
                    throw fail("line \(line), column \(source + 1) '\(header[source])': label cell \(SplitTable.quoted(cell)) is not one of \(binaryOnly ? "'1', '0' (or '1.0', '0.0')" : "'1.0', '0.0', '-1.0' (or '1', '0', '-1') or empty")")
                }
                try labels.append(label.rawValue)
            }
            let key = record.field(keyIndex)
            guard !key.isEmpty else { throw fail("line \(line), column \(keyIndex + 1) '\(header[keyIndex])': empty cell") }
            try names.append(contentsOf: key)
            try offsets.append(UInt32(truncatingIfNeeded: names.count))
            try lines.append(UInt32(truncatingIfNeeded: line))
        }
        guard lines.count > 0 else { throw fail("the file has a header but no data rows") }
        self.names = names
        self.offsets = offsets
        self.lines = lines
        self.labels = labels
        self.labelCount = labelNames.count
        self.keyColumn = header[keyIndex]
    }

    /// The header name of the key column found.
    let keyColumn: String

    static func labelClass(_ cell: UnsafeBufferPointer<UInt8>, binaryOnly: Bool) -> LabelClass? {
        switch String(decoding: cell, as: UTF8.self) {
        case "1.0", "1": .positive
        case "0.0", "0": .negative
        case "-1.0", "-1": binaryOnly ? nil : .uncertain
        case "": binaryOnly ? nil : .unmentioned
        default: nil
        }
    }

    /// Row of each distinct key, for lookups: open addressing over
    /// Hasher-hashed keys (per-process seed), checked allocation.
    /// - Throws: `.csv` for a key listed twice; `.noMemory`.
    func index(file: String) throws(ChexpertError) -> KeyIndex {
        let index = try KeyIndex(capacity: count)
        for row in 0 ..< count {
            if let other = index.insert(row, key: name(at: row), names: self) {
                throw ChexpertError(.csv, "\(file): line \(lines[row]): \(keyColumn) \(SplitTable.quoted(name(at: row))) repeats line \(lines[other])")
            }
        }
        return index
    }

    /// Open-addressing table from key bytes to row.
    final class KeyIndex {
        private let rows: UnsafeMutablePointer<Int32>
        private let hashes: UnsafeMutablePointer<Int>
        private let mask: Int

        init(capacity: Int) throws(ChexpertError) {
            var slots = 16
            while slots < 2 * capacity { slots *= 2 }
            rows = try UnsafeMutablePointer<Int32>.allocateChecked(slots, for: "a label file's key index")
            guard let hashes = UnsafeMutablePointer<Int>.allocateChecked(slots) else {
                rows.deallocateChecked()
                throw ChexpertError(.noMemory, "cannot allocate a label file's key index")
            }
            self.hashes = hashes
            rows.initialize(repeating: -1, count: slots)
            mask = slots - 1
        }

        deinit {
            rows.deallocateChecked()
            hashes.deallocateChecked()
        }

        private static func hash<C: Collection>(_ key: C) -> Int where C.Element == UInt8 {
            var hasher = Hasher()
            hasher.combine(key.count)
            for byte in key { hasher.combine(byte) }
            return hasher.finalize()
        }

        /// The slot of `key`: where it is (with its row) or where it would go.
        private func probe<C: Collection>(_ key: C, names: LabelFile) -> (slot: Int, hash: Int, row: Int?)
        where C.Element == UInt8 {
            let hash = Self.hash(key)
            var slot = hash & mask
            while rows[slot] >= 0 {
                let other = Int(rows[slot])
                if hashes[slot] == hash, names.name(at: other).elementsEqual(key) { return (slot, hash, other) }
                slot = (slot + 1) & mask
            }
            return (slot, hash, nil)
        }

        /// Inserts `row`; returns the earlier row with the same key instead.
        func insert(_ row: Int, key: UnsafeBufferPointer<UInt8>, names: LabelFile) -> Int? {
            let found = probe(key, names: names)
            if let other = found.row { return other }
            rows[found.slot] = Int32(truncatingIfNeeded: row)
            hashes[found.slot] = found.hash
            return nil
        }

        /// The row whose key is `key`, or nil.
        func find<C: Collection>(_ key: C, names: LabelFile) -> Int? where C.Element == UInt8 {
            probe(key, names: names).row
        }
    }
}

extension SplitTable {
    /// This table (train.csv: names, views, metadata) with its labels taken
    /// from `labels` (a label file), matched by `Path`, in this table's label
    /// column order.
    /// - Throws: `.csv` naming both files for a `Path` on one side only.
    func joiningLabels(_ labels: LabelFile, labelFile: String, file: String) throws(ChexpertError) -> SplitTable {
        let index = try labels.index(file: labelFile)
        let (cells, overflow) = count.multipliedReportingOverflow(by: labelCount)
        guard !overflow else { throw ChexpertError(.noMemory, "\(file): too many label cells") }
        let values = try CheckedArray<UInt8>(capacity: cells, for: "the joined labels")
        let seen = try CheckedArray<UInt8>(capacity: labels.count, for: "the label join")
        for _ in 0 ..< labels.count { try seen.append(0) }
        for row in 0 ..< count {
            let key = name(at: row)
            guard let other = key.withUnsafeBytes({ index.find($0, names: labels) }) else {
                throw ChexpertError(.csv, "\(labelFile) has no row for Path \(SplitTable.quoted(key)) (example \(row) of \(file)); the label file and \(file) must list the same images")
            }
            seen.base?[other] = 1
            let start = other * labels.labelCount
            try values.append(contentsOf: UnsafeBufferPointer(rebasing: labels.labels.buffer[start ..< start + labels.labelCount]))
        }
        for other in 0 ..< labels.count where seen[other] == 0 {
            throw ChexpertError(.csv, "\(labelFile): line \(labels.lines[other]): Path \(SplitTable.quoted(labels.name(at: other))) is not in \(file); the label file and \(file) must list the same images")
        }
        return SplitTable(labelNames: labelNames, nameBytes: nameBytes, nameOffsets: nameOffsets, labelValues: values,
                          viewValues: viewValues, projectionValues: projectionValues,
                          hasProjectionColumn: hasProjectionColumn, csvProjectionCounts: csvProjectionCounts,
                          sexValues: sexValues, ageValues: ageValues, studies: studies)
    }
}
