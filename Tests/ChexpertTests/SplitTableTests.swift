import Testing
@testable import ChexpertCore

/// TFDS `chexpert` 3.1.0 CSV semantics (reference note, sections 2 and 5).
@Suite struct SplitTableTests {
    typealias F = CSVFixtures

    @Test func realRowsMapLikeTFDS() throws {
        let table = try F.parse(F.realText)
        #expect(table.count == 5)
        #expect(table.labelCount == 14)
        #expect(table.labelNames.first == "No Finding")
        #expect(table.labelNames.last == "Support Devices")
        // Row 1: No Finding 1.0 -> positive(1), Pneumothorax 0.0 -> negative(2),
        // Support Devices 1.0 -> positive(1), blanks -> unmentioned(3).
        #expect(Array(table.labels(at: 0)) == [1, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 3, 1])
        // Row 2: -1.0 -> uncertain(0).
        #expect(Array(table.labels(at: 1)) == [3, 3, 0, 1, 3, 0, 0, 3, 0, 3, 0, 3, 1, 3])
        #expect(table.view(at: 0) == ImageView.frontal.rawValue)
        #expect(table.view(at: 3) == ImageView.lateral.rawValue)
        #expect(table.nameString(at: 1) == "CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg")
    }

    @Test func labelCellVocabularyIsExact() {
        #expect(LabelClass(cell: "".utf8) == .unmentioned)
        #expect(LabelClass(cell: "1.0".utf8) == .positive)
        #expect(LabelClass(cell: "0.0".utf8) == .negative)
        #expect(LabelClass(cell: "-1.0".utf8) == .uncertain)
        for bad in ["1", "0", "-1", "2.0", " 1.0", "1.0 ", "1.00", "+1.0", "nan", "-0.0", "1,0"] {
            #expect(LabelClass(cell: bad.utf8) == nil, "\(bad)")
        }
    }

    @Test func viewIsCaseInsensitiveAndNothingElse() {
        #expect(ImageView(cell: "Frontal".utf8) == .frontal)
        #expect(ImageView(cell: "FRONTAL".utf8) == .frontal)
        #expect(ImageView(cell: "lateral".utf8) == .lateral)
        for bad in ["", "Oblique", "1", "Frontal ", "frontal\u{0}", "Frontals"] {
            #expect(ImageView(cell: bad.utf8) == nil, "\(bad)")
        }
    }

    @Test func badLabelCellNamesFileLineAndColumn() throws {
        let rows = F.realRows.enumerated().map { $0.offset == 2 ? $0.element.replacingFirst(",1.0,", ",2.0,") : $0.element }
        let error = try #require(F.error(([F.header] + rows).joined(separator: "\n")))
        #expect(error.code == .csv)
        #expect(error.message.contains("/data/train.csv"))
        #expect(error.message.contains("line 4"))
        #expect(error.message.contains("column 9 'Lung Opacity'"))
        #expect(error.message.contains("'2.0'"))
    }

    @Test func missingCellIsAnErrorAndExtraCellIsIgnored() throws {
        let short = F.header + "\n" + String(F.realRows[0].dropLast(4))  // drops ",1.0"
        let error = try #require(F.error(short))
        #expect(error.message.contains("line 2"))
        #expect(error.message.contains("column 19 'Support Devices' has no cell"))
        let long = try F.parse(F.header + "\n" + F.realRows[0] + ",extra,cells\n")
        #expect(long.labelCount == 14)
        #expect(long.labels(at: 0).last == LabelClass.positive.rawValue)
    }

    @Test func labelsAreTakenByPositionAfterTheFifthColumn() throws {
        // Renamed label columns and metadata columns (TFDS's fake data): same labels.
        let renamed = F.header.replacingFirst("No Finding", "Label1").replacingFirst("Sex,Age", "Info1,Info2")
        let table = try F.parse(([renamed] + F.realRows).joined(separator: "\n"))
        // Swapped Sex/Age headers: TFDS accepts them; the strict Sex and Age
        // cells (docs/evaluation.md) do not.
        let swapped = F.header.replacingFirst("Sex,Age", "Age,Sex")
        let error = try #require(F.error(([swapped] + F.realRows).joined(separator: "\n")))
        #expect(error.code == .csv && error.message.contains("line 2, column 3 'Sex'"))
        #expect(Array(table.labels(at: 0)) == Array(try F.parse(F.realText).labels(at: 0)))
        #expect(table.labelNames.first == "Label1")
        // An extra header column gives 15 labels (here the extra cell is given).
        let wide = try F.parse(F.header + ",Extra\n" + F.realRows[0] + ",0.0\n")
        #expect(wide.labelCount == 15)
        #expect(wide.labels(at: 0).last == LabelClass.negative.rawValue)
    }

    @Test func repeatedHeaderNameReadsItsLastColumn() throws {
        let header = F.header.replacingFirst("Enlarged Cardiomediastinum", "Edema")
        let table = try F.parse(header + "\n" + F.realRows[1] + "\n")
        // Columns 7 and 11 are both "Edema": both read column 11 (-1.0).
        #expect(table.labels(at: 0)[1] == LabelClass.uncertain.rawValue)
        #expect(table.labels(at: 0)[5] == LabelClass.uncertain.rawValue)
    }

    @Test func viewErrorsAndUppercase() throws {
        for bad in ["Oblique", "", "1"] {
            let row = F.realRows[0].replacingFirst(",Frontal,", ",\(bad),")
            let error = try #require(F.error(F.header + "\n" + row))
            #expect(error.message.contains("column 4 'Frontal/Lateral'"), "\(error.message)")
        }
        let upper = try F.parse(F.header + "\n" + F.realRows[0].replacingFirst(",Frontal,", ",FRONTAL,"))
        #expect(upper.view(at: 0) == ImageView.frontal.rawValue)
    }

    @Test func lineEndingsAndBlankLinesAreAccepted() throws {
        let crlf = try F.parse(([F.header] + F.realRows).joined(separator: "\r\n") + "\r\n\r\n")
        #expect(crlf.count == 5)
        let blanks = try F.parse(F.header + "\n\n" + F.realRows[0] + "\n\n")
        #expect(blanks.count == 1)
    }

    @Test func fileLevelErrors() throws {
        #expect(F.error("")?.message.contains("empty") == true)
        #expect(F.error(F.header + "\n")?.message.contains("no data rows") == true)
        #expect(F.error("\u{FEFF}" + F.realText)?.message.contains("byte-order mark") == true)
        #expect(F.error("Sex,Age\nMale,3\n")?.message.contains("no 'Path' column") == true)
        #expect(F.error("\n" + F.realText)?.message.contains("line 1") == true)
        var invalid = Array(F.realText.utf8)
        invalid.insert(0xFF, at: F.header.utf8.count + 10)
        let error = try #require({ () -> ChexpertError? in
            do throws(ChexpertError) { _ = try F.parse(bytes: invalid); return nil } catch { return error }
        }())
        #expect(error.message.contains("line 2: not valid UTF-8"))
    }

    @Test func duplicatePathsAreRejectedWithBothLines() throws {
        let rows = [F.realRows[0], F.realRows[1], F.realRows[0]]
        let error = try #require(F.error(([F.header] + rows).joined(separator: "\n")))
        #expect(error.message.contains("line 4"))
        #expect(error.message.contains("repeats line 2"))
        // TFDS normalises "\" to "/" before hashing keys, so these collide too.
        let backslash = F.realRows[0].replacingFirst("patient00001/study1", "patient00001\\study1")
        #expect(F.error([F.header, F.realRows[0], backslash].joined(separator: "\n")) != nil)
    }

    @Test func quotedPathIsUnquoted() throws {
        let row = "\"CheXpert-v1.0-small/train/p,1/view1_frontal.jpg\",Male,3,Frontal,AP" + String(repeating: ",", count: 14)
        let table = try F.parse(F.header + "\n" + row + "\n")
        #expect(table.nameString(at: 0) == "CheXpert-v1.0-small/train/p,1/view1_frontal.jpg")
        #expect(table.labels(at: 0).allSatisfy { $0 == LabelClass.unmentioned.rawValue })
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (no Foundation).
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
