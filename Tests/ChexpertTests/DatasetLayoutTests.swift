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
            let path = PathBuffer()
            try layout.imagePath(of: "CheXpert-v1.0-small/train/p/view1.jpg".utf8, into: path)
            #expect(layout.displayPath(of: path) == tree.path + "/CheXpert-v1.0-small/train/p/view1.jpg")
            try layout.imagePath(of: "/abs/x.jpg".utf8, into: path)
            #expect(layout.displayPath(of: path) == "/abs/x.jpg")
        }
    }

    @Test func datasetFolderItselfStripsThePrefix() throws {
        try withTree { tree in
            try tree.write("renamed/train.csv", CSVFixtures.realText)
            try tree.write("renamed/valid.csv", CSVFixtures.realText)
            let layout = try DatasetLayout(root: tree.path + "/renamed")
            #expect(layout.datasetFolder == tree.path + "/renamed")
            let path = PathBuffer()
            try layout.imagePath(of: "CheXpert-v1.0-small/valid/p/view1.jpg".utf8, into: path)
            #expect(layout.displayPath(of: path) == tree.path + "/renamed/valid/p/view1.jpg")
            try layout.imagePath(of: "other/p.jpg".utf8, into: path)
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

    /// The environment is injected (`DatasetLayout(root:environment:)`): the
    /// process environment is never changed, as other suites read it on
    /// other threads meanwhile (glibc's setenv races with getenv).
    @Test func defaultRootIsChexpertRootThenTFDSManualDir() throws {
        try withTree { tree in
            try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
            func environment(_ values: [String: String]) -> DatasetLayout.Environment {
                { name in values[name].map { Array($0.utf8) } }
            }
            let both = environment(["CHEXPERT_ROOT": tree.path, "HOME": "/nonexistent-home"])
            #expect(try DatasetLayout(root: nil, environment: both).datasetFolder == tree.path + "/CheXpert-v1.0-small")
            // An empty CHEXPERT_ROOT counts as unset: HOME's manual dir is next.
            let homeOnly = environment(["CHEXPERT_ROOT": "", "HOME": tree.path])
            do throws(ChexpertError) {
                _ = try DatasetLayout(root: nil, environment: homeOnly)
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains(tree.path + "/tensorflow_datasets/downloads/manual"))
            }
            try tree.write("home/tensorflow_datasets/downloads/manual/CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
            try tree.write("home/tensorflow_datasets/downloads/manual/CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
            let home = environment(["HOME": tree.path + "/home"])
            #expect(try DatasetLayout(root: nil, environment: home).datasetFolder
                == tree.path + "/home/tensorflow_datasets/downloads/manual/CheXpert-v1.0-small")
            do throws(ChexpertError) {
                _ = try DatasetLayout(root: nil, environment: environment([:]))
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains("neither CHEXPERT_ROOT nor HOME is set"))
            }
        }
    }

    /// The default lookup is the process environment (read, never written).
    @Test func processEnvironmentReadsGetenv() {
        #expect(DatasetLayout.processEnvironment("PATH") == getenv("PATH").map { DatasetLayout.bytes($0) })
        #expect(DatasetLayout.processEnvironment("CHEXPERT_SURELY_UNSET_VARIABLE_123") == nil)
    }
}
