import Glibc
import Testing
@testable import ChexpertCore

/// Release detection (`DatasetLayout`, `AIMIFolders`, `PatientIndex`), label
/// files and the test split's pieces, on hand-made folders (the Python
/// tests run every layout on generated JPEG trees: test_releases.py).
@Suite struct ReleaseLayoutTests {
    private func withTree(_ body: (TempDirectory) throws -> Void) throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        try body(tree)
    }

    private func image(_ layout: DatasetLayout, _ name: String) -> String {
        let path = PathBuffer()
        do throws(ChexpertError) {
            try layout.imagePath(of: Array(name.utf8), into: path)
        } catch {
            return "imagePath failed: \(error.message)"
        }
        return layout.displayPath(of: path)
    }

    @Test func smallFullAndNestedLayouts() throws {
        try withTree { tree in
            try tree.write("a/CheXpert-v1.0-small/CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            try tree.write("b/CheXpert-v1.0/valid.csv", CSVFixtures.realText)
            try tree.write("c/CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            let nested = try DatasetLayout(root: tree.path + "/a")
            #expect(nested.release == .smallNested)
            #expect(image(nested, "CheXpert-v1.0-small/train/p/v.jpg")
                    == tree.path + "/a/CheXpert-v1.0-small/CheXpert-v1.0-small/train/p/v.jpg")
            #expect(try DatasetLayout(root: tree.path + "/a/CheXpert-v1.0-small").release == .smallNested)
            let full = try DatasetLayout(root: tree.path + "/b")
            #expect(full.release == .full)
            #expect(image(full, "CheXpert-v1.0/train/p/v.jpg") == tree.path + "/b/CheXpert-v1.0/train/p/v.jpg")
            let itself = try DatasetLayout(root: tree.path + "/b/CheXpert-v1.0")
            #expect(itself.release == .full)
            #expect(image(itself, "CheXpert-v1.0/valid/p/v.jpg") == tree.path + "/b/CheXpert-v1.0/valid/p/v.jpg")
            #expect(try DatasetLayout(root: tree.path + "/c").release == .small)
        }
    }

    @Test func aimiResolvesTrainPathsThroughThePatientIndex() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0_batch_1_val_and_csv/CheXpert-v1.0/valid.csv", CSVFixtures.realText)
            try tree.write("CheXpert-v1.0 batch 2 (train 1)/patient00001/study1/view1_frontal.jpg", "x")
            try tree.write("CHEXPERT-V1.0 BATCH 3 (TRAIN 2)/CheXpert-v1.0/train/patient00042/study1/a.jpg", "x")
            let layout = try DatasetLayout(root: tree.path)
            #expect(layout.release == .aimi)
            #expect(layout.datasetFolder == tree.path + "/CheXpert-v1.0_batch_1_val_and_csv/CheXpert-v1.0")
            #expect(layout.patients?.count == 2)
            #expect(image(layout, "CheXpert-v1.0/train/patient00001/study1/view1_frontal.jpg")
                    == tree.path + "/CheXpert-v1.0 batch 2 (train 1)/patient00001/study1/view1_frontal.jpg")
            #expect(image(layout, "CheXpert-v1.0/train/patient00042/study1/a.jpg")
                    == tree.path + "/CHEXPERT-V1.0 BATCH 3 (TRAIN 2)/CheXpert-v1.0/train/patient00042/study1/a.jpg")
            #expect(image(layout, "CheXpert-v1.0/valid/patient64541/study1/a.jpg")
                    == layout.datasetFolder + "/valid/patient64541/study1/a.jpg")
            #expect(image(layout, "CheXpert-v1.0/train/patient00077/study1/a.jpg")
                    == tree.path + "/CheXpert-v1.0/train/patient00077/study1/a.jpg")
            #expect(layout.memoryUsage >= 16)
            let confinement = PathConfinement(layout: layout)
            #expect(confinement.violation(of: Array("CheXpert-v1.0/train/patient00001/s/v.jpg".utf8)) == nil)
            #expect(confinement.violation(of: Array("CheXpert-v1.0/train/patient00001/../../../x".utf8)) != nil)
            #expect(confinement.violation(of: Array("other/train/patient00001/v.jpg".utf8)) != nil)
        }
    }

    @Test func noReleaseListsWhatTheFolderHolds() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0 batch 2 (train 1)/patient00001/x.jpg", "x")
            try tree.write("README.md", "x")
            do throws(ChexpertError) {
                _ = try DatasetLayout(root: tree.path)
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains("'README.md'"))
                #expect(error.message.contains("'CheXpert-v1.0 batch 2 (train 1)'"))
            }
        }
    }

    @Test func batchNamesAndPatientNumbers() {
        #expect(AIMIFolders.batchNumber(Array("CheXpert-v1.0 batch 4 (train 3)".utf8)) == 4)
        #expect(AIMIFolders.batchNumber(Array("chexpert-v1.0_BATCH_1_val_and_csv".utf8)) == 1)
        #expect(AIMIFolders.batchNumber(Array("CheXpert-v1.0".utf8)) == nil)
        #expect(PatientIndex.patientNumber(Array("patient00042".utf8)) == 42)
        #expect(PatientIndex.patientNumber(Array("patient".utf8)) == nil)
        #expect(PatientIndex.patientNumber(Array("patient12a".utf8)) == nil)
        #expect(PatientIndex.patientNumber(Array("patient1234567890".utf8)) == nil)
    }

    @Test func testFileNamesAndKeys() {
        #expect(TestSplitReader.imageView(fileName: Array("view1_frontal.jpg".utf8)) == .frontal)
        #expect(TestSplitReader.imageView(fileName: Array("view2_lateral.jpg".utf8)) == .lateral)
        #expect(TestSplitReader.imageView(fileName: Array("view2_lateral.png".utf8)) == nil)
        #expect(TestSplitReader.imageView(fileName: Array("notes.txt".utf8)) == nil)
        func key(_ text: String) -> String? {
            Array(text.utf8).withUnsafeBufferPointer { TestSplitReader.fromTestComponent($0) }
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(key("CheXpert-v1.0/test/patient64741/study1") == "test/patient64741/study1")
        #expect(key("test/patient64741/study1/view1_frontal.jpg") == "test/patient64741/study1/view1_frontal.jpg")
        #expect(key("CheXpert-v1.0/valid/patient1/study1") == nil)
        #expect(key("CheXpert-v1.0/test/") == nil)
    }

    @Test func labelFileReadsColumnsByName() throws {
        let text = "Edema,Path,Sex,Cardiomegaly\n1,a.jpg,Male,-1.0\n0.0,b.jpg,Female,\n"
        let file = try Array(text.utf8).withUnsafeBufferPointer { data throws(ChexpertError) in
            try LabelFile(csv: data, file: "l.csv", keyColumns: ["Path"], labelNames: ["Cardiomegaly", "Edema"])
        }
        #expect(file.count == 2)
        #expect(Array(file.labels.buffer) == [LabelClass.uncertain.rawValue, LabelClass.positive.rawValue,
                                               LabelClass.unmentioned.rawValue, LabelClass.negative.rawValue])
        do throws(ChexpertError) {
            _ = try Array("Path,Edema\na.jpg,2\n".utf8).withUnsafeBufferPointer { data throws(ChexpertError) in
                try LabelFile(csv: data, file: "l.csv", keyColumns: ["Path"], labelNames: ["Edema"])
            }
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .csv)
            #expect(error.message.contains("l.csv: line 2, column 2 'Edema'"))
        }
    }
}
