import Testing
@testable import ChexpertCore

/// The metadata cell and Path rules (docs/evaluation.md), the study
/// ordinals on the real CSV's first rows, and the ranking metrics with ties.
@Suite struct MetadataTests {
    @Test func sexCells() {
        #expect(Sex(cell: "Female".utf8) == .female)
        #expect(Sex(cell: "Male".utf8) == .male)
        #expect(Sex(cell: "Unknown".utf8) == .unknown)
        #expect(Sex(cell: "".utf8) == .blank)
        for bad in ["female", "MALE", " Male", "F", "Male "] { #expect(Sex(cell: bad.utf8) == nil, "\(bad)") }
    }

    @Test func ageCells() {
        let good: [(String, UInt8)] = [("68", 68), ("0", 0), ("150", 150), ("068", 68), ("68.0", 68), ("68.", 68),
                                       ("68.000", 68), ("", Age.missingByte)]
        for (cell, age) in good { #expect(Age.parse(cell: cell.utf8) == age, "\(cell)") }
        for bad in ["151", "68.5", "-1", "+1", " 68", "68 ", ".0", ".", "1e2", "sixty", "99999999999999999999"] {
            #expect(Age.parse(cell: bad.utf8) == nil, "\(bad)")
        }
    }

    @Test func pathIdentifiers() {
        func ids(_ path: String) -> [Int64] {
            let p = PathIdentifiers(path: Array(path.utf8))
            return [p.patient, p.study, p.viewNumber]
        }
        #expect(ids("CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg") == [1, 1, 1])
        #expect(ids("CheXpert-v1.0/train/patient64541/study12/view3_lateral.jpg") == [64541, 12, 3])
        #expect(ids("test\\patient7\\study2\\view2_frontal.jpg") == [7, 2, 2])
        #expect(ids("train/patient0/study0/view1_frontal.jpg") == [0, 0, 1])      // TFDS's fake data
        #expect(ids("train/patientX/study1/view1_frontal.jpg") == [-1, -1, 1])
        #expect(ids("train/patient1/x/study1/view1.jpg") == [1, -1, -1])
        #expect(ids("patient1/study2/view_frontal.jpg") == [1, 2, -1])
        #expect(ids("patient1234567890123456789/study1/view1_a.jpg") == [-1, -1, 1])   // > 18 digits
        #expect(ids("") == [-1, -1, -1])
    }

    @Test func storedMetadataAndStudies() throws {
        let table = try CSVFixtures.parse(CSVFixtures.realText)
        #expect((0 ..< table.count).map { table.sex(at: $0) } == [.female, .female, .female, .female, .male])
        #expect((0 ..< table.count).map { table.age(at: $0) } == [68, 87, 83, 83, 41])
        let studies = try table.studyIndex()
        #expect((0 ..< table.count).map { studies[$0] } == [0, 1, 2, 2, 3])
        #expect(studies.studyCount == 4)
        let selected = try table.selecting(try Selection(mask: 1 << 3), file: "train.csv")   // laterals
        #expect(selected.count == 1)
        #expect(selected.age(at: 0) == 83)
        #expect(try selected.studyIndex().studyCount == 1)
    }

    @Test func malformedCellsNameLineAndColumn() {
        func replacing(_ row: String, cell: Int, with value: String) -> String {
            var cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[cell] = value
            return cells.joined(separator: ",")
        }
        var rows = CSVFixtures.realRows
        rows[2] = replacing(rows[2], cell: 1, with: "female")
        let sex = CSVFixtures.error(([CSVFixtures.header] + rows).joined(separator: "\n"))
        #expect(sex?.code == .csv)
        #expect(sex?.message.contains("line 4, column 2 'Sex'") == true, "\(sex?.message ?? "")")
        rows = CSVFixtures.realRows
        rows[4] = replacing(rows[4], cell: 2, with: "41.5")
        let age = CSVFixtures.error(([CSVFixtures.header] + rows).joined(separator: "\n"))
        #expect(age?.code == .csv)
        #expect(age?.message.contains("line 6, column 3 'Age'") == true, "\(age?.message ?? "")")
    }

    @Test func rankingMetricsWithTies() {
        // Scores 0.9(+) 0.5(+) 0.5(-) 0.1(-): AUROC (1 + 0.5 + 1 + 1) / 4 = 0.875;
        // AP = 1/2 * 1 + 1/2 * 2/3 (the tie is one threshold).
        let scores = [0.9, 0.5, 0.5, 0.1], positive = [true, true, false, false]
        let (auroc, auprc) = RankingMetrics.compute(count: 4, score: { scores[$0] }, positive: { positive[$0] },
                                                    weight: { _ in 1 })
        #expect(auroc == 0.875)
        #expect(abs(auprc - (0.5 + 0.5 * 2.0 / 3.0)) < 1e-15)
    }
}
