import Testing
@testable import ChexpertCore

/// Records as Python's `csv.reader` over a text-mode file returns them
/// (expected values taken from CPython 3.11 runs of the same inputs).
@Suite struct CSVRecordReaderTests {
    private func records(_ text: String) throws -> [[String]] {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVRecordReader(buffer)
            var record = CSVRecordReader.Record()
            var out: [[String]] = []
            while try reader.next(into: &record) {
                out.append((0 ..< record.count).map { String(decoding: record.field($0), as: UTF8.self) })
            }
            return out
        }
    }

    @Test func plainFieldsAndEmptyCells() throws {
        #expect(try records("a,b,,c,\n") == [["a", "b", "", "c", ""]])
    }

    @Test func lineEndingsAreUniversal() throws {
        #expect(try records("a,b\r\nc,d\re,f\n") == [["a", "b"], ["c", "d"], ["e", "f"]])
    }

    @Test func lastLineWithoutNewline() throws {
        #expect(try records("a,b\nc,") == [["a", "b"], ["c", ""]])
    }

    @Test func emptyLinesAreEmptyRecords() throws {
        #expect(try records("a\n\n\nb\n") == [["a"], [], [], ["b"]])
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        #expect(try records("\"x,y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n") == [["x,y", "say \"hi\"", "two\nlines"]])
    }

    @Test func quotesOutsideQuotedFieldsAreLiteral() throws {
        // Non-strict csv: a quote inside an unquoted field is kept; text after
        // a closing quote is appended.
        #expect(try records("ab\"c,\"d\"e\n") == [["ab\"c", "de"]])
    }

    @Test func quotedEmptyFieldIsOneField() throws {
        #expect(try records("\"\"\n") == [[""]])
    }

    @Test func unterminatedQuoteEndsAtEndOfData() throws {
        #expect(try records("a,\"open") == [["a", "open"]])
    }

    @Test func lineNumbersCountPhysicalLines() throws {
        let bytes = Array("h\n\"a\nb\"\nc\n".utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVRecordReader(buffer)
            var record = CSVRecordReader.Record()
            var lines: [Int] = []
            while try reader.next(into: &record) { lines.append(record.line) }
            #expect(lines == [1, 2, 4])
        }
    }

    @Test func nulByteIsAnError() {
        let bytes: [UInt8] = Array("a,b\nc".utf8) + [0] + Array(",d\n".utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVRecordReader(buffer)
            var record = CSVRecordReader.Record()
            #expect(throws: ChexpertError.self) {
                while try reader.next(into: &record) {}
            }
        }
    }
}
