import CChexpertABI
import Testing
@testable import ChexpertABI
@testable import ChexpertCore

/// Folder listings kept at open (`DirectoryListing`, `DirectoryNames`):
/// checked memory, bytewise order, the entry bound (lowered here; the real
/// one is 2^22, too many files for a test) and the bounded message summary.
/// Allocation failure of a listing: Tests/faults (AIMI and test-split opens).
@Suite struct DirectoryListingTests {
    private func withFolder(_ names: [String], _ body: (TempDirectory) throws -> Void) throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        for name in names { try tree.write(name, "x") }
        try body(tree)
    }

    private func strings(_ names: DirectoryNames) -> [String] {
        names.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func namesAreSortedBytewiseWithoutDotEntries() throws {
        let files = ["b", "B", "a", "ab", "é", "Z 10", "Z 9", "a.jpg"]
        try withFolder(files) { tree in
            let names = try #require(try DirectoryListing.names(in: Array(tree.path.utf8)))
            #expect(strings(names) == files.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            #expect(names.count == files.count)
        }
        let missing = try DirectoryListing.names(in: Array("/nonexistent/chexpert-listing".utf8))
        #expect(missing == nil)
    }

    @Test func anEmptyFolderListsNothing() throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        let names = try #require(try DirectoryListing.names(in: Array(tree.path.utf8)))
        #expect(names.isEmpty)
        #expect(DirectoryListing.summary(of: Array(tree.path.utf8)) == "nothing")
    }

    @Test func theEntryBoundIsLimitNamingTheFolderAndTheBound() throws {
        try withFolder(["1", "2", "3", "4", "5"]) { tree in
            let folder = Array(tree.path.utf8)
            let atBound = try DirectoryListing.names(in: folder, maxNames: 5)
            #expect(atBound?.count == 5)  // at the bound: kept
            do throws(ChexpertError) {
                _ = try DirectoryListing.names(in: folder, maxNames: 4)
                Issue.record("a listing past its bound was kept")
            } catch {
                #expect(error.code == .limit)
                #expect(error.message.contains(tree.path))
                #expect(error.message.contains("more than 4 entries"))
            }
            // A bound above the documented one is the documented one.
            let capped = try DirectoryListing.names(in: folder, maxNames: Int.max)
            #expect(capped?.count == 5)
        }
        #expect(DirectoryListing.maxNames == 4_194_304)
        #expect(DirectoryListing.maxNameBytes == 255)
    }

    @Test func theSummaryKeepsTheFirstNamesInOrder() throws {
        let files = (0 ..< 30).map { "file\(100 - $0)" }
        try withFolder(files) { tree in
            let summary = try #require(DirectoryListing.summary(of: Array(tree.path.utf8)))
            let first = files.sorted().prefix(24).map { "'\($0)'" }.joined(separator: ", ")
            #expect(summary == first + " and 6 more")
            #expect(DirectoryListing.summary(of: Array(tree.path.utf8), limit: 3) == "'file100', 'file71', 'file72' and 27 more")
        }
        #expect(DirectoryListing.summary(of: Array("/nonexistent/chexpert-listing".utf8)) == nil)
    }

    @Test func aimiTrainBatchesInNumberOrderThenByName() throws {
        try withFolder([
            "CheXpert-v1.0 batch 1 (validate & csv)/valid.csv",
            "CheXpert-v1.0 batch 3 (train 2)/patient00003/s/v.jpg",
            "CheXpert-v1.0 batch 10 (train 9)/patient00010/s/v.jpg",
            "CheXpert-v1.0 batch 2 (train 1)/patient00002/s/v.jpg",
            "b batch 2/patient00022/s/v.jpg",
        ]) { tree in
            let aimi = try #require(try AIMIFolders(top: Array(tree.path.utf8)))
            #expect(aimi.train.map { String(decoding: $0, as: UTF8.self) } == [
                tree.path + "/CheXpert-v1.0 batch 2 (train 1)", tree.path + "/b batch 2",
                tree.path + "/CheXpert-v1.0 batch 3 (train 2)", tree.path + "/CheXpert-v1.0 batch 10 (train 9)",
            ])
            #expect(String(decoding: aimi.validation, as: UTF8.self) == tree.path + "/CheXpert-v1.0 batch 1 (validate & csv)")
        }
    }
}

/// The image path buffer (`PathBuffer`, `DatasetLayout.imagePath`): checked
/// memory that grows to the longest path and is reused.
@Suite struct PathBufferTests {
    private func text(_ path: PathBuffer) -> String {
        path.withCString { String(cString: $0) }
    }

    @Test func appendsKeepANulAndGrowPastTheFirstBlock() throws {
        let path = PathBuffer()
        #expect(text(path) == "")
        #expect(path.bytes.isEmpty)
        try path.append(Array("/root/".utf8))
        try path.append("a".utf8)
        #expect(text(path) == "/root/a")
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)  // a CSV cell may be this long
        try path.append(long)
        #expect(path.count == 7 + long.count)
        #expect(text(path) == "/root/a" + String(repeating: "x", count: long.count))
        path.removeAll()
        #expect(text(path) == "")
        try path.append("/b".utf8)
        #expect(text(path) == "/b")
        #expect(Array(path.bytes) == Array("/b".utf8))
    }
}

/// Root and path arguments past `DatasetLayout.maxPathBytes`: `.limit`
/// naming the argument, before the bytes are copied; at the bound the open
/// goes on (and fails as any path longer than PATH_MAX does).
@Suite struct PathArgumentBoundTests {
    private let bound = DatasetLayout.maxPathBytes

    private func code(_ body: () throws(ChexpertError) -> Void) -> (ChexpertError.Code?, String) {
        do throws(ChexpertError) {
            try body()
            return (nil, "")
        } catch {
            return (error.code, error.message)
        }
    }

    @Test func aRootPastTheBoundIsLimit() {
        #expect(bound == 65_536)
        let over = "/" + String(repeating: "a", count: bound)
        let (overCode, overMessage) = code { () throws(ChexpertError) in _ = try DatasetLayout(root: over) }
        #expect(overCode == .limit)
        #expect(overMessage.contains("root is longer than 65536 bytes"))
        let at = "/" + String(repeating: "a", count: bound - 1)
        let (atCode, atMessage) = code { () throws(ChexpertError) in _ = try DatasetLayout(root: at) }
        #expect(atCode == .notFound)
        #expect(atMessage.contains("File name too long"))
        let (envCode, envMessage) = code { () throws(ChexpertError) in
            _ = try DatasetLayout(root: nil, environment: { name in name == "CHEXPERT_ROOT" ? Array(over.utf8) : nil })
        }
        #expect(envCode == .limit)
        #expect(envMessage.contains("CHEXPERT_ROOT"))
    }

    @Test func theCEntryPointsRefuseLongPathsWithLimit() {
        let over = "/" + String(repeating: "a", count: bound)
        var ds: OpaquePointer?
        #expect(chexpert_dataset_open(&ds, over, nil) == CHEXPERT_E_LIMIT.rawValue)
        #expect(ds == nil)
        #expect(String(cString: chexpert_last_error()).contains("root is longer than 65536 bytes"))
        var info = [Int64](repeating: 0, count: 64)
        #expect(chexpert_cache_info(over, &info, info.count) == CHEXPERT_E_LIMIT.rawValue)
        #expect(String(cString: chexpert_last_error()).contains("path is longer than 65536 bytes"))
    }
}
