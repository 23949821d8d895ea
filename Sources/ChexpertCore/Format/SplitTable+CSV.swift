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
    /// - With `confinement`, a `Path` that leaves the dataset folder
    ///   lexically (absolute, or a `..` above it) is an error.
    /// - The file must be UTF-8 without a byte-order mark and have a data row.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the file's path, for messages.
    ///   - confinement: the dataset's path rule, or nil (any `Path`).
    /// - Throws: `.csv` naming `file`, the 1-based line and the column;
    ///   `.limit` (CHEXPERT_MAX_CSV_COLUMNS, CHEXPERT_MAX_CSV_LINE_BYTES);
    ///   `.noMemory`.
    /// - Complexity: O(n) in the size of the data (expected: the duplicate
    ///   and column-name lookups hash with a per-process random seed).
    init(csv data: UnsafeBufferPointer<UInt8>, file: String, confinement: PathConfinement? = nil) throws(ChexpertError) {
        func fail(_ message: String) -> ChexpertError { ChexpertError(.csv, "\(file): \(message)") }
        /// A reader error with the file name added, its code kept.
        func located(_ error: ChexpertError) -> ChexpertError { ChexpertError(error.code, "\(file): \(error.message)") }

        if data.isEmpty { throw fail("the file is empty; expected a header line starting with 'Path'") }
        if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF {
            throw fail("line 1: the file starts with a UTF-8 byte-order mark, so its first column is not 'Path' (TFDS fails with KeyError: 'Path'); save it without the BOM")
        }
        if let offset = Self.firstInvalidUTF8Offset(data) {
            throw fail("line \(Self.line(at: offset, in: data)): not valid UTF-8")
        }

        var reader = CSVRecordReader(data)
        var record = CSVRecordReader.Record()
        do throws(ChexpertError) {
            guard try reader.next(into: &record), record.count > 0 else {
                throw ChexpertError(.csv, "line 1: empty header line; expected a header starting with 'Path'")
            }
        } catch { throw located(error) }

        // Names -> last column with that name, built once (a Python dict).
        // Bounded by CHEXPERT_MAX_CSV_COLUMNS and _LINE_BYTES (Swift storage).
        let header = (0 ..< record.count).map { String(decoding: record.field($0), as: UTF8.self) }
        var lastColumns: [String: Int] = [:]
        lastColumns.reserveCapacity(header.count)
        for (index, name) in header.enumerated() { lastColumns[name] = index }
        guard let pathIndex = lastColumns[Self.pathColumn] else {
            throw fail("line 1: the header has no '\(Self.pathColumn)' column")
        }
        guard let viewIndex = lastColumns[Self.viewColumn] else {
            throw fail("line 1: the header has no '\(Self.viewColumn)' column")
        }
        let projectionIndex = lastColumns[Self.projectionColumn]
        let sexIndex = lastColumns[Self.sexColumn], ageIndex = lastColumns[Self.ageColumn]
        let labelColumns = Array(header.indices.dropFirst(Self.firstLabelColumn))
        // Cell each label column reads (its name's last occurrence, at or
        // after the column itself).
        let labelSources = labelColumns.map { lastColumns[header[$0]] ?? $0 }
        func describeColumn(_ index: Int) -> String { "column \(index + 1) '\(header[index])'" }

        // Growable, checked tables (a row has a separator per cell it
        // needs, so each is bounded by the data's size).
        let nameBytes = try CheckedArray<UInt8>(for: "\(file)'s Path cells")
        let nameOffsets = try CheckedArray<UInt32>(for: "\(file)'s rows")
        let labelValues = try CheckedArray<UInt8>(for: "\(file)'s label cells")
        let viewValues = try CheckedArray<UInt8>(for: "\(file)'s rows")
        let projectionValues = try CheckedArray<UInt8>(for: "\(file)'s rows")
        let lines = try CheckedArray<UInt32>(for: "\(file)'s rows")
        // Metadata (not read by TFDS): only where the header has the column.
        let sexValues = try sexIndex.map { (_) throws(ChexpertError) in try CheckedArray<UInt8>(for: "\(file)'s Sex cells") }
        let ageValues = try ageIndex.map { (_) throws(ChexpertError) in try CheckedArray<UInt8>(for: "\(file)'s Age cells") }
        try nameOffsets.append(0)
        var counts = [Int](repeating: 0, count: Projection.allCases.count)

        while true {
            do throws(ChexpertError) {
                guard try reader.next(into: &record) else { break }
            } catch { throw located(error) }
            if record.count == 0 { continue }
            let line = record.line
            func missing(_ column: Int) -> ChexpertError {
                fail("line \(line): \(describeColumn(column)) has no cell (the row has \(record.count) cells, the header \(header.count))")
            }
            try labelValues.reserve(labelSources.count)
            for (column, source) in zip(labelColumns, labelSources) {
                guard source < record.count else { throw missing(column) }
                let cell = record.field(source)
                guard let label = LabelClass(cell: cell) else {
                    throw fail("line \(line), \(describeColumn(column)): label cell \(Self.quoted(cell)) is not one of '1.0', '0.0', '-1.0' or empty")
                }
                try labelValues.append(label.rawValue)
            }
            guard viewIndex < record.count else { throw missing(viewIndex) }
            guard let view = ImageView(cell: record.field(viewIndex)) else {
                throw fail("line \(line), \(describeColumn(viewIndex)): \(Self.quoted(record.field(viewIndex))) is neither 'Frontal' nor 'Lateral'")
            }
            try viewValues.append(view.rawValue)
            let projectionCell = projectionIndex.flatMap { $0 < record.count ? record.field($0) : nil }
            let projection = Projection(view: view, cell: projectionCell)
            try projectionValues.append(projection.rawValue)
            counts[Int(projection.rawValue)] += 1
            guard pathIndex < record.count else { throw missing(pathIndex) }
            let path = record.field(pathIndex)
            guard !path.isEmpty else { throw fail("line \(line), \(describeColumn(pathIndex)): empty Path") }
            if let confinement, let reason = confinement.violation(of: path) {
                throw fail("line \(line), \(describeColumn(pathIndex)): Path \(Self.quoted(path)) \(reason)")
            }
            // Sex and Age: strict (docs/evaluation.md); a row too short to
            // have the cell is blank / missing (TFDS never reads them).
            if let sexIndex, let sexValues {
                var sex = Sex.blank
                if sexIndex < record.count {
                    let cell = record.field(sexIndex)
                    guard let parsed = Sex(cell: cell) else {
                        throw fail("line \(line), \(describeColumn(sexIndex)): Sex cell \(Self.quoted(cell)) is not one of 'Female', 'Male', 'Unknown' or empty")
                    }
                    sex = parsed
                }
                try sexValues.append(sex.rawValue)
            }
            if let ageIndex, let ageValues {
                var age = Age.missingByte
                if ageIndex < record.count {
                    let cell = record.field(ageIndex)
                    guard let parsed = Age.parse(cell: cell) else {
                        throw fail("line \(line), \(describeColumn(ageIndex)): Age cell \(Self.quoted(cell)) is not whole years 0 ... \(Age.maximum) (digits, optionally '.0') or empty")
                    }
                    age = parsed
                }
                try ageValues.append(age)
            }
            try nameBytes.append(contentsOf: path)
            try nameOffsets.append(UInt32(truncatingIfNeeded: nameBytes.count))  // < CSV size <= 1 GiB
            try lines.append(UInt32(truncatingIfNeeded: line))                  // <= CSV size + 1
        }
        guard viewValues.count > 0 else {
            throw fail("the file has a header but no data rows (TFDS refuses an empty split)")
        }

        self.labelNames = labelColumns.map { header[$0] }
        // The table's memory is what it holds.
        for array in [nameBytes, labelValues, viewValues, projectionValues] { array.shrinkToFit() }
        sexValues?.shrinkToFit()
        ageValues?.shrinkToFit()
        self.sexValues = sexValues
        self.ageValues = ageValues
        self.studies = try StudyIndex(count: viewValues.count) { row in
            PathIdentifiers(path: UnsafeBufferPointer(rebasing: nameBytes.buffer[Int(nameOffsets[row]) ..< Int(nameOffsets[row + 1])]))
        }
        nameOffsets.shrinkToFit()
        self.nameBytes = nameBytes
        self.nameOffsets = nameOffsets
        self.labelValues = labelValues
        self.viewValues = viewValues
        self.projectionValues = projectionValues
        self.hasProjectionColumn = projectionIndex != nil
        self.csvProjectionCounts = counts
        if let (first, second) = try self.firstDuplicateName() {
            throw fail("line \(lines[second]): Path \(Self.quoted(self.name(at: second))) repeats line \(lines[first]) (TFDS: two examples share the same key)")
        }
    }

    /// The first pair of examples (in file order of the later one) whose
    /// names are equal after TFDS's key normalisation (`\` -> `/`).
    ///
    /// One pass with an open-addressing hash table of row numbers (checked
    /// allocation), hashed with Swift's per-process seeded `Hasher`, so
    /// crafted names cannot make it quadratic: expected O(total name bytes).
    /// - Throws: `.noMemory`.
    private func firstDuplicateName() throws(ChexpertError) -> (Int, Int)? {
        var slots = 16
        while slots < 2 * count { slots *= 2 }     // load factor <= 1/2
        let rows = try UnsafeMutablePointer<Int32>.allocateChecked(slots, for: "the duplicate-Path check")
        defer { rows.deallocateChecked() }
        let hashes = try UnsafeMutablePointer<Int>.allocateChecked(slots, for: "the duplicate-Path check")
        defer { hashes.deallocateChecked() }
        rows.initialize(repeating: -1, count: slots)
        let mask = slots - 1
        let names = nameBytes.buffer
        func normalised(_ byte: UInt8) -> UInt8 { byte == UInt8(ascii: "\\") ? UInt8(ascii: "/") : byte }
        func bounds(_ row: Int) -> Range<Int> { Int(nameOffsets[row]) ..< Int(nameOffsets[row + 1]) }
        func sameName(_ a: Int, _ b: Int) -> Bool {
            let x = bounds(a), y = bounds(b)
            guard x.count == y.count else { return false }
            for (i, j) in zip(x, y) where normalised(names[i]) != normalised(names[j]) { return false }
            return true
        }
        var chunk: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        for row in 0 ..< count {
            var hasher = Hasher()
            let range = bounds(row)
            hasher.combine(range.count)
            // The normalised bytes, 64 at a time.
            withUnsafeMutableBytes(of: &chunk) { buffer in
                var filled = 0
                for i in range {
                    buffer[filled] = normalised(names[i])
                    filled += 1
                    if filled == buffer.count {
                        hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
                        filled = 0
                    }
                }
                if filled > 0 { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: buffer[0 ..< filled])) }
            }
            let hash = hasher.finalize()
            var slot = hash & mask
            while rows[slot] >= 0 {
                let other = Int(rows[slot])
                if hashes[slot] == hash, sameName(other, row) { return (other, row) }
                slot = (slot + 1) & mask
            }
            rows[slot] = Int32(truncatingIfNeeded: row)
            hashes[slot] = hash
        }
        return nil
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

    /// The offset of the first byte of the first sequence that is not
    /// well-formed UTF-8 (Unicode's definition, as Python's strict decoder:
    /// no overlong forms, surrogates or code points past U+10FFFF), or nil.
    /// Linear; allocates nothing (a String of the file would).
    static func firstInvalidUTF8Offset(_ data: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = data.count
        while i < n {
            let lead = data[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF   // range of the second byte
            switch lead {
            case 0xC2 ... 0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1 ... 0xEC, 0xEE ... 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1 ... 0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= n, data[i + 1] >= low, data[i + 1] <= high else { return i }
            for k in 2 ..< length where data[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// The 1-based line of `offset`, counting line breaks as the reader does
    /// (`\n`, `\r\n`, a lone `\r`).
    static func line(at offset: Int, in data: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1
        var i = 0
        while i < offset {
            if data[i] == UInt8(ascii: "\n") {
                line += 1
            } else if data[i] == UInt8(ascii: "\r") {
                line += 1
                if i + 1 < offset, data[i + 1] == UInt8(ascii: "\n") { i += 1 }
            }
            i += 1
        }
        return line
    }
}
