/// Splits CSV bytes into records exactly as TFDS reads its CSVs: Python's
/// `csv.reader` (excel dialect, non-strict) over a file opened in text mode.
///
/// - Text mode: `\r\n` and a lone `\r` are read as `\n`, inside quoted fields
///   too.
/// - Fields are separated by `,`; a field that starts with `"` is quoted, `""`
///   inside it is one `"`, and it may hold `,` and newlines. A `"` inside an
///   unquoted field, or text after a closing quote, is kept literally.
/// - A line with no characters is an empty record (TFDS's `DictReader` skips
///   it). A quoted field still open at the end of the data ends the record.
/// - A NUL byte is an error, as in Python ("line contains NUL").
///
/// Limits (`.limit`, naming the header macro): a record of more than
/// `maxColumns` cells (`CHEXPERT_MAX_CSV_COLUMNS`), or longer than
/// `maxLineBytes` (`CHEXPERT_MAX_CSV_LINE_BYTES`: the bytes from the record's
/// first to its last, its line break excluded; a record whose quoted cell
/// holds line breaks counts as one line).
///
/// Time is linear in the data: each byte is looked at once, and a record's
/// storage is allocated once (`CheckedAllocation`, bounded by the limits and
/// the data's size) and reused, so reading never traps on memory.
struct CSVRecordReader {
    /// CHEXPERT_MAX_CSV_COLUMNS.
    static let maxColumns = 65_536
    /// CHEXPERT_MAX_CSV_LINE_BYTES.
    static let maxLineBytes = 1 << 20

    /// One record: field `i` is `field(i)`. A class so its buffers are
    /// allocated once and freed with it.
    final class Record {
        private var bytes: UnsafeMutablePointer<UInt8>?
        private var byteCapacity = 0
        private var starts: UnsafeMutablePointer<Int>?
        private var ends: UnsafeMutablePointer<Int>?
        private var fieldCapacity = 0
        fileprivate var byteCount = 0
        /// Number of fields.
        private(set) var count = 0
        /// 1-based physical line on which the record starts.
        fileprivate(set) var line = 0

        init() {}

        deinit {
            bytes?.deallocateChecked()
            starts?.deallocateChecked()
            ends?.deallocateChecked()
        }

        /// The bytes of field `i`; the caller checks `i < count`.
        func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            precondition(i >= 0 && i < count, "CSV field index out of range")
            let start = starts.unsafelyUnwrapped[i]
            return UnsafeBufferPointer(start: bytes.map { $0 + start }, count: ends.unsafelyUnwrapped[i] - start)
        }

        /// Buffers for records of data of `dataCount` bytes: no record holds
        /// more bytes than the data or a line, nor more fields than either
        /// allows (a field needs a byte or a separator).
        fileprivate func prepare(dataCount: Int) throws(ChexpertError) {
            let byteNeed = Swift.min(dataCount, CSVRecordReader.maxLineBytes) + 1
            let fieldNeed = Swift.min(dataCount, CSVRecordReader.maxColumns) + 2
            if byteCapacity < byteNeed {
                let fresh = try UnsafeMutablePointer<UInt8>.allocateChecked(byteNeed, for: "a CSV line")
                bytes?.deallocateChecked()
                bytes = fresh
                byteCapacity = byteNeed
            }
            if fieldCapacity < fieldNeed {
                let freshStarts = try UnsafeMutablePointer<Int>.allocateChecked(fieldNeed, for: "a CSV line's cells")
                guard let freshEnds = UnsafeMutablePointer<Int>.allocateChecked(fieldNeed) else {
                    freshStarts.deallocateChecked()
                    throw ChexpertError(.noMemory, "cannot allocate \(fieldNeed * 8) bytes for a CSV line's cells")
                }
                starts?.deallocateChecked()
                ends?.deallocateChecked()
                starts = freshStarts
                ends = freshEnds
                fieldCapacity = fieldNeed
            }
        }

        fileprivate func reset(line: Int) {
            byteCount = 0
            count = 0
            self.line = line
        }

        @inline(__always)
        fileprivate func append(_ byte: UInt8) {
            bytes.unsafelyUnwrapped[byteCount] = byte   // byteCount < line length + 1 <= capacity
            byteCount += 1
        }

        /// - Throws: `.limit` past CHEXPERT_MAX_CSV_COLUMNS cells.
        fileprivate func endField(from start: Int) throws(ChexpertError) {
            guard count < CSVRecordReader.maxColumns, count < fieldCapacity else {
                throw ChexpertError(.limit, "line \(line): more than \(CSVRecordReader.maxColumns) cells (CHEXPERT_MAX_CSV_COLUMNS)")
            }
            starts.unsafelyUnwrapped[count] = start
            ends.unsafelyUnwrapped[count] = byteCount
            count += 1
        }
    }

    private let data: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// 1-based number of the line the reader is on.
    private(set) var line = 1

    init(_ data: UnsafeBufferPointer<UInt8>) {
        self.data = data
    }

    private enum State { case startField, inField, inQuoted, quoteInQuoted }

    /// Reads the next record into `record`.
    /// - Returns: false at the end of the data (record untouched).
    /// - Throws: `.csv` on a NUL byte; `.limit` for a record over
    ///   `maxColumns` cells or `maxLineBytes` bytes; `.noMemory`. The
    ///   message has no file name, the caller adds it.
    mutating func next(into record: inout Record) throws(ChexpertError) -> Bool {
        guard position < data.count else { return false }
        try record.prepare(dataCount: data.count)
        record.reset(line: line)
        let recordStart = position
        let startLine = line
        var state = State.startField
        var fieldStart = 0
        var sawAnything = false
        while position < data.count {
            var byte = data[position]
            position += 1
            if byte == 0 {
                throw ChexpertError(.csv, "line \(line): contains a NUL byte")
            }
            if byte == UInt8(ascii: "\r") {
                if position < data.count, data[position] == UInt8(ascii: "\n") { position += 1 }
                byte = UInt8(ascii: "\n")
            }
            let isNewline = byte == UInt8(ascii: "\n")
            if isNewline { line += 1 }
            // Every byte but the record's final line break counts (a quoted
            // line break is inside the record).
            if position - recordStart > Self.maxLineBytes, !isNewline || state == .inQuoted {
                throw ChexpertError(.limit, "line \(startLine): longer than \(Self.maxLineBytes) bytes (CHEXPERT_MAX_CSV_LINE_BYTES)")
            }
            switch state {
            case .startField:
                if isNewline {
                    if sawAnything { try record.endField(from: record.byteCount) }
                    return true
                }
                sawAnything = true
                fieldStart = record.byteCount
                if byte == UInt8(ascii: "\"") {
                    state = .inQuoted
                } else if byte == UInt8(ascii: ",") {
                    try record.endField(from: fieldStart)
                } else {
                    record.append(byte)
                    state = .inField
                }
            case .inField:
                if isNewline {
                    try record.endField(from: fieldStart)
                    return true
                } else if byte == UInt8(ascii: ",") {
                    try record.endField(from: fieldStart)
                    state = .startField
                } else {
                    record.append(byte)
                }
            case .inQuoted:
                if byte == UInt8(ascii: "\"") {
                    state = .quoteInQuoted
                } else {
                    record.append(byte)
                }
            case .quoteInQuoted:
                if byte == UInt8(ascii: "\"") {
                    record.append(byte)
                    state = .inQuoted
                } else if byte == UInt8(ascii: ",") {
                    try record.endField(from: fieldStart)
                    state = .startField
                } else if isNewline {
                    try record.endField(from: fieldStart)
                    return true
                } else {
                    record.append(byte)
                    state = .inField
                }
            }
        }
        // End of data without a final newline.
        if sawAnything { try record.endField(from: state == .startField ? record.byteCount : fieldStart) }
        return true
    }
}
