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
/// The reader reuses one record's storage, so reading allocates only when a
/// record is larger than every earlier one.
struct CSVRecordReader {
    /// One record: field `i` is `bytes[fieldStarts[i] ..< fieldEnds[i]]`.
    struct Record {
        var bytes: [UInt8] = []
        var fieldStarts: [Int] = []
        var fieldEnds: [Int] = []
        /// 1-based physical line on which the record starts.
        var line = 0

        var count: Int { fieldStarts.count }

        /// The bytes of field `i`; the caller checks `i < count`.
        func field(_ i: Int) -> ArraySlice<UInt8> { bytes[fieldStarts[i] ..< fieldEnds[i]] }

        mutating func reset(line: Int) {
            bytes.removeAll(keepingCapacity: true)
            fieldStarts.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
            self.line = line
        }

        mutating func endField(from start: Int) {
            fieldStarts.append(start)
            fieldEnds.append(bytes.count)
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
    /// - Throws: `.csv` on a NUL byte; the message has no file name, the
    ///   caller adds it.
    mutating func next(into record: inout Record) throws(ChexpertError) -> Bool {
        guard position < data.count else { return false }
        record.reset(line: line)
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
            switch state {
            case .startField:
                if isNewline {
                    if sawAnything { record.endField(from: record.bytes.count) }
                    return true
                }
                sawAnything = true
                fieldStart = record.bytes.count
                if byte == UInt8(ascii: "\"") {
                    state = .inQuoted
                } else if byte == UInt8(ascii: ",") {
                    record.endField(from: fieldStart)
                } else {
                    record.bytes.append(byte)
                    state = .inField
                }
            case .inField:
                if isNewline {
                    record.endField(from: fieldStart)
                    return true
                } else if byte == UInt8(ascii: ",") {
                    record.endField(from: fieldStart)
                    state = .startField
                } else {
                    record.bytes.append(byte)
                }
            case .inQuoted:
                if byte == UInt8(ascii: "\"") {
                    state = .quoteInQuoted
                } else {
                    record.bytes.append(byte)
                }
            case .quoteInQuoted:
                if byte == UInt8(ascii: "\"") {
                    record.bytes.append(byte)
                    state = .inQuoted
                } else if byte == UInt8(ascii: ",") {
                    record.endField(from: fieldStart)
                    state = .startField
                } else if isNewline {
                    record.endField(from: fieldStart)
                    return true
                } else {
                    record.bytes.append(byte)
                    state = .inField
                }
            }
        }
        // End of data without a final newline.
        if sawAnything { record.endField(from: state == .startField ? record.bytes.count : fieldStart) }
        return true
    }
}
