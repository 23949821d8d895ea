import CChexpertABI
import CChexpertLimits
import Glibc
import Testing
@testable import ChexpertABI

/// The C entry points' handling of versions, vocabulary, NULL, closed handles
/// and per-thread messages (no images needed).
@Suite struct ABIContractTests {
    private func lastError() -> String { String(cString: chexpert_last_error()) }

    @Test func versionsMatchTheHeader() {
        #expect(chexpert_version_number() == CHEXPERT_VERSION_NUMBER)
        #expect(chexpert_abi_version() == CHEXPERT_ABI_VERSION)
        #expect(String(cString: chexpert_version_string()) == CHEXPERT_VERSION_STRING)
        #expect(CHEXPERT_VERSION_NUMBER == CHEXPERT_VERSION_MAJOR * 10000 + CHEXPERT_VERSION_MINOR * 100 + CHEXPERT_VERSION_PATCH)
    }

    @Test func everyStatusHasItsOwnName() {
        let statuses: [(chexpert_status, String)] = [
            (CHEXPERT_OK, "CHEXPERT_OK"), (CHEXPERT_E_INVALID_ARGUMENT, "CHEXPERT_E_INVALID_ARGUMENT"),
            (CHEXPERT_E_NULL_POINTER, "CHEXPERT_E_NULL_POINTER"), (CHEXPERT_E_OUT_OF_RANGE, "CHEXPERT_E_OUT_OF_RANGE"),
            (CHEXPERT_E_BUFFER_TOO_SMALL, "CHEXPERT_E_BUFFER_TOO_SMALL"), (CHEXPERT_E_CLOSED, "CHEXPERT_E_CLOSED"),
            (CHEXPERT_E_NOT_FOUND, "CHEXPERT_E_NOT_FOUND"), (CHEXPERT_E_IO, "CHEXPERT_E_IO"),
            (CHEXPERT_E_CSV, "CHEXPERT_E_CSV"), (CHEXPERT_E_IMAGE, "CHEXPERT_E_IMAGE"),
            (CHEXPERT_E_LIMIT, "CHEXPERT_E_LIMIT"), (CHEXPERT_E_NO_MEMORY, "CHEXPERT_E_NO_MEMORY"),
            (CHEXPERT_E_INTERNAL, "CHEXPERT_E_INTERNAL"),
        ]
        for (status, name) in statuses {
            #expect(String(cString: chexpert_status_name(status.rawValue)) == name)
        }
        #expect(String(cString: chexpert_status_name(CHEXPERT_E_STALE.rawValue)) == "CHEXPERT_E_STALE")
        for unknown: CInt in [1, -14, 100, CInt.min, CInt.max] {
            #expect(String(cString: chexpert_status_name(unknown)) == "CHEXPERT_E_UNKNOWN")
        }
    }

    @Test func vocabularyNamesAreTFDSs() {
        #expect(String(cString: chexpert_split_name(CInt(CHEXPERT_SPLIT_TRAIN.rawValue))) == "train")
        #expect(String(cString: chexpert_split_name(CInt(CHEXPERT_SPLIT_VALIDATION.rawValue))) == "validation")
        #expect(String(cString: chexpert_split_name(CInt(CHEXPERT_SPLIT_TEST.rawValue))) == "test")
        #expect(chexpert_split_name(3) == nil && chexpert_split_name(-1) == nil)
        let classes = (0 ..< CHEXPERT_NUM_LABEL_CLASSES).map { String(cString: chexpert_label_class_name($0)) }
        #expect(classes == ["uncertain", "positive", "negative", "unmentioned"])
        #expect(chexpert_label_class_name(4) == nil && chexpert_label_class_name(-1) == nil)
        #expect(String(cString: chexpert_view_name(CInt(CHEXPERT_VIEW_FRONTAL.rawValue))) == "frontal")
        #expect(String(cString: chexpert_view_name(CInt(CHEXPERT_VIEW_LATERAL.rawValue))) == "lateral")
        #expect(chexpert_view_name(2) == nil && chexpert_view_name(256) == nil)
        let projections = (0 ..< CHEXPERT_NUM_PROJECTIONS).map { String(cString: chexpert_projection_name($0)) }
        #expect(projections == ["ap", "pa", "other_frontal", "lateral"])
        #expect(String(cString: chexpert_projection_name(CInt(CHEXPERT_PROJECTION_LATERAL.rawValue))) == "lateral")
        #expect(chexpert_projection_name(4) == nil && chexpert_projection_name(-1) == nil)
    }

    @Test func nullAndUnknownHandlesAreErrorsNotCrashes() {
        var count: Int64 = -7
        #expect(chexpert_split_size(nil, 0, &count) == CHEXPERT_E_NULL_POINTER.rawValue)
        #expect(lastError().contains("ds is NULL"))
        let madeUp = OpaquePointer(bitPattern: 0xDEAD_BEEF)
        #expect(chexpert_split_size(madeUp, 0, &count) == CHEXPERT_E_CLOSED.rawValue)
        #expect(count == -7)
        chexpert_dataset_close(nil)
        chexpert_dataset_close(madeUp)
        #expect(chexpert_dataset_open(nil, "/", nil) == CHEXPERT_E_NULL_POINTER.rawValue)
        #expect(lastError() == "out is NULL")
    }

    @Test func openFailureLeavesNullAndAMessage() {
        var ds = OpaquePointer(bitPattern: 1)
        #expect(chexpert_dataset_open(&ds, "/nonexistent/chexpert", nil) == CHEXPERT_E_NOT_FOUND.rawValue)
        #expect(ds == nil)
        #expect(lastError().contains("/nonexistent/chexpert"))
    }

    @Test func closedHandleIsDetectedAndSlotsAreNotConfused() throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
        try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
        var first: OpaquePointer?
        #expect(chexpert_dataset_open(&first, tree.path, nil) == CHEXPERT_OK.rawValue)
        chexpert_dataset_close(first)
        chexpert_dataset_close(first)  // double close: a no-op
        var count: Int64 = 0
        #expect(chexpert_split_size(first, 0, &count) == CHEXPERT_E_CLOSED.rawValue)
        var second: OpaquePointer?
        #expect(chexpert_dataset_open(&second, tree.path, nil) == CHEXPERT_OK.rawValue)
        defer { chexpert_dataset_close(second) }
        #expect(second != first)  // same slot, new generation
        #expect(chexpert_split_size(first, 0, &count) == CHEXPERT_E_CLOSED.rawValue)
        #expect(chexpert_split_size(second, 0, &count) == CHEXPERT_OK.rawValue)
        #expect(count == 5)
    }

    @Test func lastErrorIsPerThread() throws {
        _ = chexpert_split_size(nil, 0, nil)
        let mine = lastError()
        final class Box: @unchecked Sendable { var message = "" }
        let box = Box()
        var thread = pthread_t()
        let context = Unmanaged.passRetained(box).toOpaque()
        #expect(pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            let before = String(cString: chexpert_last_error())
            _ = chexpert_dataset_open(nil, nil, nil)
            box.message = before + "|" + String(cString: chexpert_last_error())
            return nil
        }, context) == 0)
        pthread_join(thread, nil)
        #expect(box.message == "|out is NULL")
        #expect(lastError() == mine)
    }

    @Test func sizeTAboveSsizeMaxIsRefused() throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
        try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
        var ds: OpaquePointer?
        #expect(chexpert_dataset_open(&ds, tree.path, nil) == CHEXPERT_OK.rawValue)
        defer { chexpert_dataset_close(ds) }
        var labels = [Int64](repeating: 9, count: 14)
        // size_t SIZE_MAX arrives as -1 in Swift's Int.
        #expect(chexpert_example_labels(ds, 0, 0, &labels, -1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("18446744073709551615"))
        #expect(chexpert_example_labels(ds, 0, 0, &labels, 13) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        #expect(labels.allSatisfy { $0 == 9 })
        #expect(chexpert_example_labels(ds, 0, 5, &labels, 14) == CHEXPERT_E_OUT_OF_RANGE.rawValue)
        // Split 2 is the test split, absent from this tree; 3 is no split.
        #expect(chexpert_example_labels(ds, 2, 0, &labels, 14) == CHEXPERT_E_NOT_FOUND.rawValue)
        #expect(chexpert_example_labels(ds, 3, 0, &labels, 14) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_example_labels(ds, 0, Int64.min, &labels, 14) == CHEXPERT_E_OUT_OF_RANGE.rawValue)
        #expect(chexpert_example_labels(ds, 0, 0, &labels, 14) == CHEXPERT_OK.rawValue)
        #expect(labels == [1, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 3, 1])
        // A name size query, then the copy.
        var size = 0
        #expect(chexpert_example_name(ds, 0, 0, nil, 0, &size) == CHEXPERT_OK.rawValue)  // size query
        #expect(size == "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg".utf8.count + 1)
        var name = [CChar](repeating: 0, count: size)
        #expect(chexpert_example_name(ds, 0, 0, &name, size, nil) == CHEXPERT_OK.rawValue)
        #expect(String(cString: name) == "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg")
        #expect(chexpert_example_name(ds, 0, 0, nil, 3, &size) == CHEXPERT_E_NULL_POINTER.rawValue)
    }

    @Test func optionsAreValidated() throws {
        let tree = try TempDirectory()
        defer { tree.remove() }
        try tree.write("train.csv", CSVFixtures.realText)
        try tree.write("valid.csv", CSVFixtures.realText)
        var ds: OpaquePointer?
        #expect(chexpert_dataset_open(&ds, tree.path, nil) == CHEXPERT_OK.rawValue)
        defer { chexpert_dataset_close(ds) }
        var value: Int64 = -1
        #expect(chexpert_dataset_get_option(ds, CInt(CHEXPERT_KEY_DCT.rawValue), &value) == CHEXPERT_OK.rawValue)
        #expect(value == Int64(CHEXPERT_DCT_FAST.rawValue))
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_DCT.rawValue), 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_DCT.rawValue), Int64(CHEXPERT_ON_ERROR_RAISE.rawValue)) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("CHEXPERT_ON_ERROR_RAISE"))
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_SELECT.rawValue), 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_THREADS.rawValue), 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_get_option(ds, CInt(CHEXPERT_KEY_SELECT.rawValue), &value) == CHEXPERT_OK.rawValue)
        #expect(value == 15)
        #expect(chexpert_dataset_set_option(ds, 99, 0) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), 0) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), Int64(cxp_max_limit) + 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), 1 << 31) == CHEXPERT_OK.rawValue)
        #expect(chexpert_dataset_get_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), &value) == CHEXPERT_OK.rawValue)
        #expect(value == 1 << 31)
        var bytes = 0
        #expect(chexpert_dataset_memory_usage(ds, &bytes) == CHEXPERT_OK.rawValue)
        #expect(bytes > 2 * 5 * (14 + 60))
    }
}
