import CChexpertABI
import Testing
@testable import ChexpertCore

private typealias F = CSVFixtures

/// Issue 10's CSV classes: the limits on absurd shapes (at the limit
/// accepted, one past refused with `.limit` naming the macro), the linear
/// replacements of the quadratic spots (column names, duplicate paths,
/// UTF-8), `Path` confinement, and JPEG messages that never quote a file.
@Suite struct CSVShapeTests {
    private static let base = ["Path", "Sex", "Age", "Frontal/Lateral", "AP/PA"]

    /// A CSV with `columns` header columns and one row with a cell each.
    private func wide(_ columns: Int, sameName: Bool = false) -> String {
        let labels = (0 ..< columns - 5).map { sameName ? "L" : "L\($0)" }
        let header = (Self.base + labels).joined(separator: ",")
        return header + "\nCheXpert-v1.0-small/train/p/v.jpg,Female,1,Frontal,AP" + String(repeating: ",", count: columns - 5) + "\n"
    }

    @Test func headerMacrosMatchTheReader() {
        #expect(CSVRecordReader.maxColumns == Int(CHEXPERT_MAX_CSV_COLUMNS))
        #expect(CSVRecordReader.maxLineBytes == Int(CHEXPERT_MAX_CSV_LINE_BYTES))
        #expect(CHEXPERT_KEY_CONFINE_PATHS.rawValue == 27)
    }

    @Test func columnsAtTheLimitOpenAndOnePastIsALimitError() throws {
        let at = try F.parse(wide(CSVRecordReader.maxColumns))
        #expect(at.labelCount == CSVRecordReader.maxColumns - 5)
        let error = try #require(F.error(wide(CSVRecordReader.maxColumns + 1)))
        #expect(error.code == .limit)
        #expect(error.message.contains("/data/train.csv: line 1:"))
        #expect(error.message.contains("CHEXPERT_MAX_CSV_COLUMNS"))
        // A data row with too many (extra) cells is refused the same way.
        let row = F.realRows[0] + String(repeating: ",", count: CSVRecordReader.maxColumns)
        let rowError = try #require(F.error(F.header + "\n" + row + "\n"))
        #expect(rowError.code == .limit && rowError.message.contains("line 2:"))
    }

    @Test func sameNameColumnsReadTheLastOne() throws {
        let table = try F.parse(wide(20_000, sameName: true))
        #expect(table.labelCount == 20_000 - 5)
        #expect(table.labelNames.allSatisfy { $0 == "L" })
    }

    /// A CSV whose second line is exactly `length` bytes (line break excluded).
    private func line(_ length: Int, quotedBreak: Bool = false) -> String {
        let tail = ",Female,1,Frontal,AP" + String(repeating: ",", count: 14)
        var path = "CheXpert-v1.0-small/train/"
        let open = quotedBreak ? "\"" : ""
        let fixed = path.utf8.count + tail.utf8.count + (quotedBreak ? 3 : 0)  // quotes and a line break
        path += String(repeating: "a", count: length - fixed)
        let cell = quotedBreak ? open + path + "\n" + open : path
        return F.header + "\n" + cell + tail + "\n"
    }

    @Test func lineBytesAtTheLimitOpenAndOnePastIsALimitError() throws {
        let limit = CSVRecordReader.maxLineBytes
        #expect(try F.parse(line(limit)).count == 1)
        let error = try #require(F.error(line(limit + 1)))
        #expect(error.code == .limit)
        #expect(error.message.contains("line 2: longer than 1048576 bytes (CHEXPERT_MAX_CSV_LINE_BYTES)"))
        // CRLF endings do not count; a quoted line break does.
        #expect(try F.parse(line(limit).replacingLineFeeds()).count == 1)
        #expect(try F.parse(line(limit, quotedBreak: true)).count == 1)
        #expect(F.error(line(limit + 1, quotedBreak: true))?.code == .limit)
    }

    @Test func utf8ValidationMatchesTheStandardLibrary() {
        var generator = SplitMix64(seed: 10)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED,
                                    0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF, 0x0A]
        for _ in 0 ..< 20_000 {
            let length = Int(generator.next() % 7)
            let bytes = (0 ..< length).map { _ in interesting[Int(generator.next() % UInt64(interesting.count))] }
            bytes.withUnsafeBufferPointer { buffer in
                let ours = SplitTable.firstInvalidUTF8Offset(buffer) == nil
                #expect(ours == (String(validating: buffer, as: UTF8.self) != nil), "\(bytes)")
            }
        }
    }

    @Test func invalidUTF8LineCountsEveryLineBreak() throws {
        let text: [UInt8] = Array("Path\r\nx\ry\n".utf8) + [0xFF] + Array("\n".utf8)
        let error = try #require({ () -> ChexpertError? in
            do throws(ChexpertError) { _ = try F.parse(bytes: text); return nil } catch { return error }
        }())
        #expect(error.message.contains("line 4: not valid UTF-8"), "\(error.message)")
    }

    @Test func duplicatesAreFoundInOnePassWithTheirFirstLines() throws {
        // Many names with a long shared prefix, the duplicate at the end.
        let prefix = "CheXpert-v1.0-small/" + String(repeating: "x", count: 500)
        var rows = (0 ..< 3000).map { "\(prefix)/p\($0).jpg,Female,1,Frontal,AP" + String(repeating: ",", count: 14) }
        rows.append(rows[1234].replacingOccurrences(of: "/", with: "\\"))
        let error = try #require(F.error(([F.header] + rows).joined(separator: "\n")))
        #expect(error.message.contains("line 3002: Path"), "\(error.message)")
        #expect(error.message.contains("repeats line 1236"), "\(error.message)")
        #expect(try F.parse(([F.header] + rows.dropLast()).joined(separator: "\n")).count == 3000)
    }

    @Test func confinementInTFDSLayout() {
        let rule = PathConfinement(relativeToParent: true)
        for inside in ["CheXpert-v1.0-small/train/p/v.jpg", "./CheXpert-v1.0-small//train/./v.jpg",
                       "CheXpert-v1.0-small/train/../valid/v.jpg", "CheXpert-v1.0-small/a/b/../../c.jpg",
                       "CheXpert-v1.0-small/..a/v.jpg", "CheXpert-v1.0-small/.../v.jpg"] {
            #expect(rule.violation(of: inside.utf8) == nil, "\(inside)")
        }
        for (outside, reason) in [("/etc/passwd", "is absolute"), ("../x.jpg", "must start with"),
                                  ("CheXpert-v1.0-small/../x.jpg", "through '..'"),
                                  ("CheXpert-v1.0-small/a/../../CheXpert-v1.0-small/v.jpg", "through '..'"),
                                  ("train/v.jpg", "must start with"), ("CheXpert-v1.0-small", "folder itself"),
                                  ("CheXpert-v1.0-small/a/..", "folder itself"), ("CheXpert-v1.0-smallx/v.jpg", "must start with")] {
            let violation = rule.violation(of: outside.utf8)
            #expect(violation?.contains(reason) == true, "\(outside): \(violation ?? "nil")")
        }
    }

    @Test func confinementInDatasetFolderLayout() {
        let rule = PathConfinement(relativeToParent: false)
        for inside in ["CheXpert-v1.0-small/train/v.jpg", "train/v.jpg", "a/../b.jpg", "./v.jpg"] {
            #expect(rule.violation(of: inside.utf8) == nil, "\(inside)")
        }
        for outside in ["/x.jpg", "../x.jpg", "CheXpert-v1.0-small/../x.jpg", "a/../../x.jpg", ".", "a/.."] {
            #expect(rule.violation(of: outside.utf8) != nil, "\(outside)")
        }
    }

    @Test func confinedParseNamesFileLineAndColumn() throws {
        let row = "CheXpert-v1.0-small/../../secret.jpg,Female,1,Frontal,AP" + String(repeating: ",", count: 14)
        let text = [F.header, F.realRows[0], row].joined(separator: "\n")
        let error = try #require({ () -> ChexpertError? in
            do throws(ChexpertError) {
                try Array(text.utf8).withUnsafeBufferPointer { (buffer) throws(ChexpertError) in
                    _ = try SplitTable(csv: buffer, file: "/data/train.csv",
                                       confinement: PathConfinement(relativeToParent: true))
                }
                return nil
            } catch { return error }
        }())
        #expect(error.code == .csv)
        #expect(error.message.contains("/data/train.csv: line 3, column 1 'Path': Path 'CheXpert-v1.0-small/../../secret.jpg' leaves the dataset folder"),
                "\(error.message)")
        #expect(error.message.contains("CHEXPERT_KEY_CONFINE_PATHS = 0"))
        // Unconfined (nil), it parses.
        #expect(try F.parse(text).count == 2)
    }

    @Test func libjpegValuesAreRedacted() {
        #expect(JPEGDecoder.redacted("Not a JPEG file: starts with 0x89 0x50") == "Not a JPEG file: starts with")
        #expect(JPEGDecoder.redacted("Unsupported JPEG data precision 12") == "Unsupported JPEG data precision")
        #expect(JPEGDecoder.redacted("Unsupported marker type 0xc3") == "Unsupported marker type")
        #expect(JPEGDecoder.redacted("Corrupt JPEG data: 17 extraneous bytes before marker 0xd9")
                    == "Corrupt JPEG data: extraneous bytes before marker")
        #expect(JPEGDecoder.redacted("Invalid progressive parameters Ss=0 Se=63 Ah=1 Al=0") == "Invalid progressive parameters")
        #expect(JPEGDecoder.redacted("Premature end of JPEG file") == "Premature end of JPEG file")
        #expect(JPEGDecoder.redacted("Progressive JPEG image has more than 500 scans")
                    == "Progressive JPEG image has more than 500 scans")
        #expect(JPEGDecoder.redacted("tjDecompressHeader3(): Invalid data returned in header")
                    == "tjDecompressHeader3(): Invalid data returned in header")
        #expect(JPEGDecoder.redacted("0x12 34") == "corrupt JPEG data")
    }

    @Test func nonJPEGFormatsAreNamedInWords() {
        func kind(_ bytes: [UInt8]) -> String? { bytes.withUnsafeBufferPointer { JPEGDecoder.describeNonJPEG($0) } }
        #expect(kind([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == "PNG")
        #expect(kind(Array("GIF89a....".utf8)) == "GIF")
        #expect(kind(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == "WebP")
        #expect(kind(Array("root:x:0:0:root:/root:/bin/bash\nsecret\n".utf8)) == "text")
        #expect(kind(Array("caf\u{E9} \u{1F600}\n".utf8)) == "text")
        #expect(kind([0x00, 0x01, 0x02, 0x03]) == nil)
        #expect(kind([0xFF, 0xD9, 0x00]) == nil)
    }
}

private extension String {
    func replacingLineFeeds() -> String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") }
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
