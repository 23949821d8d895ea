import Glibc
import Testing
@testable import ChexpertCore

/// Root resolution: TFDS's manual_dir, the dataset folder itself, defaults.
@Suite struct DatasetLayoutTests {
    private func withTree(_ body: (TempDirectory) throws -> Void) throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        try body(tree)
    }

    @Test func manualDirLayoutJoinsPathToRoot() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
            let layout = try DatasetLayout(root: tree.path + "/")
            #expect(layout.datasetFolder == tree.path + "/CheXpert-v1.0-small")
            var path: [CChar] = []
            layout.imagePath(of: "CheXpert-v1.0-small/train/p/view1.jpg".utf8, into: &path)
            #expect(layout.displayPath(of: path) == tree.path + "/CheXpert-v1.0-small/train/p/view1.jpg")
            layout.imagePath(of: "/abs/x.jpg".utf8, into: &path)
            #expect(layout.displayPath(of: path) == "/abs/x.jpg")
        }
    }

    @Test func datasetFolderItselfStripsThePrefix() throws {
        try withTree { tree in
            try tree.write("renamed/train.csv", CSVFixtures.realText)
            try tree.write("renamed/valid.csv", CSVFixtures.realText)
            let layout = try DatasetLayout(root: tree.path + "/renamed")
            #expect(layout.datasetFolder == tree.path + "/renamed")
            var path: [CChar] = []
            layout.imagePath(of: "CheXpert-v1.0-small/valid/p/view1.jpg".utf8, into: &path)
            #expect(layout.displayPath(of: path) == tree.path + "/renamed/valid/p/view1.jpg")
            layout.imagePath(of: "other/p.jpg".utf8, into: &path)
            #expect(layout.displayPath(of: path) == tree.path + "/renamed/other/p.jpg")
        }
    }

    @Test func missingRootListsWhatWasTried() throws {
        try withTree { tree in
            do throws(ChexpertError) {
                _ = try DatasetLayout(root: tree.path + "/nothing")
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains(tree.path + "/nothing/CheXpert-v1.0-small/train.csv"))
                #expect(error.message.contains("not a directory"))
            }
        }
    }

    @Test func missingValidCSVFailsTheOpen() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            do throws(ChexpertError) {
                _ = try Dataset(root: tree.path)
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains("CheXpert-v1.0-small/valid.csv"))
            }
        }
    }

    @Test func defaultRootIsChexpertRootThenTFDSManualDir() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
            let saved = getenv("CHEXPERT_ROOT").map { String(cString: $0) }
            defer {
                if let saved { setenv("CHEXPERT_ROOT", saved, 1) } else { unsetenv("CHEXPERT_ROOT") }
            }
            setenv("CHEXPERT_ROOT", tree.path, 1)
            #expect(try DatasetLayout(root: nil).datasetFolder == tree.path + "/CheXpert-v1.0-small")
            unsetenv("CHEXPERT_ROOT")
            let savedHome = getenv("HOME").map { String(cString: $0) }
            defer { if let savedHome { setenv("HOME", savedHome, 1) } }
            setenv("HOME", tree.path, 1)
            do throws(ChexpertError) {
                _ = try DatasetLayout(root: nil)
                Issue.record("expected an error")
            } catch {
                #expect(error.message.contains(tree.path + "/tensorflow_datasets/downloads/manual"))
            }
        }
    }
}
