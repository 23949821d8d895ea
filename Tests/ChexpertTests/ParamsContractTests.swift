import CChexpertABI
import CChexpertLimits
import Glibc
import Testing
@testable import ChexpertABI
@testable import ChexpertCore

/// The 1.0 API's parameter sets, size queries, per-example statuses and
/// limits, through the C entry points.
@Suite struct ParamsContractTests {
    private func lastError() -> String { String(cString: chexpert_last_error()) }

    private func csvDataset() throws -> (TempDirectory, OpaquePointer?) {
        let tree = try TempDirectory()
        try tree.write("CheXpert-v1.0-small/train.csv", CSVFixtures.realText)
        try tree.write("CheXpert-v1.0-small/valid.csv", CSVFixtures.realText)
        var ds: OpaquePointer?
        try #require(chexpert_dataset_open(&ds, tree.path, nil) == CHEXPERT_OK.rawValue)
        return (tree, ds)
    }

    @Test func aValueOfAnotherEnumIsRefusedNamingBoth() throws {
        let params = try makeParams([])
        defer { chexpert_params_free(params) }
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_FIT), value(CHEXPERT_FILTER_AREA)) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError() == "CHEXPERT_KEY_FIT = 3328 (CHEXPERT_FILTER_AREA) is not a chexpert_fit: expected CHEXPERT_FIT_COVER, CHEXPERT_FIT_CONTAIN or CHEXPERT_FIT_STRETCH")
        var got: Int64 = -1
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_FIT), &got) == CHEXPERT_OK.rawValue)
        #expect(got == value(CHEXPERT_FIT_COVER))  // unchanged: the default
        // A bare small number (a 0.2-style value) is not a constant either.
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_DCT), 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError() == "CHEXPERT_KEY_DCT = 1 is not a chexpert_dct: expected CHEXPERT_DCT_FAST or CHEXPERT_DCT_ACCURATE")
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_FIT), value(CHEXPERT_FIT_STRETCH)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_FIT), &got) == CHEXPERT_OK.rawValue)
        #expect(got == value(CHEXPERT_FIT_STRETCH))
        // Unknown and float keys.
        #expect(chexpert_params_set(params, 99, 0) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_MEAN), 0) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_STD), &got) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        // Keys without a default of their own.
        for k in [CHEXPERT_KEY_HEIGHT, CHEXPERT_KEY_WIDTH, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_KEY_DCT, CHEXPERT_KEY_ON_ERROR] {
            #expect(chexpert_params_get(params, key(k), &got) == CHEXPERT_E_NOT_FOUND.rawValue)
        }
        // Flags default to the preset's.
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_TARGET_NO_FINDING), &got) == CHEXPERT_OK.rawValue && got == 0)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_TARGET_PRESET), value(CHEXPERT_PRESET_XRV)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_TARGET_NO_FINDING), &got) == CHEXPERT_OK.rawValue && got == 1)
        // Rules' policies are tagged too.
        let swapped: [Int32] = [0, Int32(CHEXPERT_BLANK_NEGATIVE.rawValue), Int32(CHEXPERT_BLANK_NEGATIVE.rawValue)]
        #expect(chexpert_params_set_rules(params, swapped, 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("(CHEXPERT_BLANK_NEGATIVE) is not a chexpert_uncertain"))
    }

    @Test func everyTableCoversItsCoreEnumAndTagsAreUnique() {
        func covers<V: CaseIterable & Equatable>(_ table: ParamEnum<V>) -> Bool {
            V.allCases.allSatisfy { table.encode($0) >= 0 } && table.constants.count == V.allCases.count
        }
        #expect(covers(ParamEnums.dct) && covers(ParamEnums.onError) && covers(ParamEnums.layout))
        #expect(covers(ParamEnums.dtype) && covers(ParamEnums.fit) && covers(ParamEnums.filter))
        #expect(covers(ParamEnums.normalize) && covers(ParamEnums.preset) && covers(ParamEnums.remainder))
        #expect(covers(ParamEnums.uncertain) && covers(ParamEnums.blank))
        #expect(covers(ParamEnums.aggregate) && covers(ParamEnums.evalLevel) && covers(ParamEnums.evalUncertain))
        #expect(covers(ParamEnums.resample) && covers(ParamEnums.decodeScale))
        #expect(Set(ParamEnums.allConstants.map(\.value)).count == ParamEnums.allConstants.count)
        // Every key comes from exactly one C value (the values have gaps: 37 ... 39).
        let decoded = (-1 ... 255).compactMap { ParamKey(CInt($0)) }
        #expect(decoded.count == ParamKey.allCases.count && Set(decoded).count == decoded.count)
    }

    @Test func paramsHandlesHaveALifetimeAndAKind() throws {
        var params: OpaquePointer?
        #expect(chexpert_params_create(nil) == CHEXPERT_E_NULL_POINTER.rawValue)
        #expect(chexpert_params_create(&params) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_set(nil, key(CHEXPERT_KEY_SEED), 1) == CHEXPERT_E_NULL_POINTER.rawValue)
        #expect(lastError() == "params is NULL")
        let (tree, ds) = try csvDataset()
        defer { tree.remove() }
        defer { chexpert_dataset_close(ds) }
        // A dataset token is not a params token, and the other way round.
        var count = 0
        #expect(chexpert_shard_indices(ds, 10, nil, 0, &count) == CHEXPERT_E_CLOSED.rawValue)
        #expect(chexpert_params_set(ds, key(CHEXPERT_KEY_SEED), 1) == CHEXPERT_E_CLOSED.rawValue)
        var size: Int64 = 0
        #expect(chexpert_split_size(params, 0, &size) == CHEXPERT_E_CLOSED.rawValue)
        chexpert_dataset_close(params)  // another kind: a no-op
        chexpert_params_free(ds)        // likewise
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_SEED), 1) == CHEXPERT_OK.rawValue)
        #expect(chexpert_split_size(ds, 0, &size) == CHEXPERT_OK.rawValue)
        var other: OpaquePointer?
        #expect(chexpert_dataset_open(&other, tree.path, ds) == CHEXPERT_E_CLOSED.rawValue)
        #expect(other == nil)
        // Freed: every use is CHEXPERT_E_CLOSED; freeing again is a no-op.
        chexpert_params_free(params)
        chexpert_params_free(params)
        chexpert_params_free(nil)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_SEED), 1) == CHEXPERT_E_CLOSED.rawValue)
        #expect(chexpert_shard_indices(params, 10, nil, 0, &count) == CHEXPERT_E_CLOSED.rawValue)
        var got: Int64 = 0
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_SEED), &got) == CHEXPERT_E_CLOSED.rawValue)
        // NULL params for a call means every default.
        #expect(chexpert_shard_indices(nil, 10, nil, 0, &count) == CHEXPERT_OK.rawValue)
        #expect(count == 10)
    }

    @Test func sizeQueriesReturnOK() throws {
        let (tree, ds) = try csvDataset()
        defer { tree.remove() }
        defer { chexpert_dataset_close(ds) }
        var size = 0
        #expect(chexpert_dataset_root(ds, nil, 0, &size) == CHEXPERT_OK.rawValue && size > 1)
        var small = [CChar](repeating: 0x55, count: 3)
        #expect(chexpert_dataset_root(ds, &small, 3, &size) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        #expect(small == [0x55, 0x55, 0x55] && size > 3)
        #expect(chexpert_split_label_name(ds, 0, 0, nil, 0, &size) == CHEXPERT_OK.rawValue)
        #expect(size == "No Finding".utf8.count + 1)
        #expect(chexpert_batch_names(ds, 0, [0, 1], 2, nil, 0, &size) == CHEXPERT_OK.rawValue)
        #expect(size == 2 * ("CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg".utf8.count + 1))
        var count = 0
        let order = try makeParams([(CHEXPERT_KEY_WORLD, 3), (CHEXPERT_KEY_RANK, 2)])
        defer { chexpert_params_free(order) }
        #expect(chexpert_shard_indices(order, 10, nil, 0, &count) == CHEXPERT_OK.rawValue && count == 4)
        var shard = [Int64](repeating: -1, count: 3)
        #expect(chexpert_shard_indices(order, 10, &shard, 3, &count) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        #expect(shard == [-1, -1, -1])
        let preset = try makeParams([(CHEXPERT_KEY_TARGET_PRESET, value(CHEXPERT_PRESET_LIBAUC))])
        defer { chexpert_params_free(preset) }
        var flags: UInt32 = 9
        #expect(chexpert_target_rules(ds, 0, preset, nil, 0, &count, &flags) == CHEXPERT_OK.rawValue)
        #expect(count == 5 && flags == 0)
        var rules = [Int32](repeating: -1, count: 15)
        #expect(chexpert_target_rules(ds, 0, preset, &rules, 15, &count, nil) == CHEXPERT_OK.rawValue)
        #expect(rules[0] == 2 && rules[1] == Int32(CHEXPERT_UNCERTAIN_ZEROS.rawValue) && rules[2] == Int32(CHEXPERT_BLANK_NEGATIVE.rawValue))
    }

    @Test func targetRulesComeFromOneSource() throws {
        let (tree, ds) = try csvDataset()
        defer { tree.remove() }
        defer { chexpert_dataset_close(ds) }
        let params = try makeParams([])
        defer { chexpert_params_free(params) }
        var targets = [Float](repeating: -7, count: 10)
        #expect(chexpert_batch_targets(ds, 0, [0, 1], 2, params, &targets, nil, 10) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        let custom: [Int32] = [0, Int32(CHEXPERT_UNCERTAIN_ONES.rawValue), Int32(CHEXPERT_BLANK_NEGATIVE.rawValue),
                               14, Int32(CHEXPERT_UNCERTAIN_RAW.rawValue), Int32(CHEXPERT_BLANK_IGNORE.rawValue)]
        #expect(chexpert_params_set_rules(params, custom, 2) == CHEXPERT_OK.rawValue)
        #expect(chexpert_batch_targets(ds, 0, [0, 1], 2, params, &targets, nil, 10) == CHEXPERT_E_OUT_OF_RANGE.rawValue)
        #expect(targets.allSatisfy { $0 == -7 })
        var fixed = custom
        fixed[3] = 13
        #expect(chexpert_params_set_rules(params, fixed, 2) == CHEXPERT_OK.rawValue)
        var masks = [Float](repeating: -7, count: 4)
        #expect(chexpert_batch_targets(ds, 0, [0, 1], 2, params, &targets, &masks, 4) == CHEXPERT_OK.rawValue, "\(lastError())")
        #expect(targets.prefix(4) == [1, 1, 0, 1] || targets[0] == 1)
        // Setting a preset discards the rules, and setting rules the preset.
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_TARGET_PRESET), value(CHEXPERT_PRESET_PAPER)) == CHEXPERT_OK.rawValue)
        var count = 0
        #expect(chexpert_target_rules(ds, 0, params, nil, 0, &count, nil) == CHEXPERT_OK.rawValue && count == 5)
        #expect(chexpert_params_set_rules(params, fixed, 2) == CHEXPERT_OK.rawValue)
        var got: Int64 = 0
        #expect(chexpert_params_get(params, key(CHEXPERT_KEY_TARGET_PRESET), &got) == CHEXPERT_E_NOT_FOUND.rawValue)
        #expect(chexpert_target_rules(ds, 0, params, nil, 0, &count, nil) == CHEXPERT_OK.rawValue && count == 2)
        // Rule limits.
        #expect(chexpert_params_set_rules(params, fixed, 0) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        let many = [Int32](repeating: 0, count: 3 * (Int(cxp_max_rules) + 1)).enumerated().map { i, _ in
            i % 3 == 0 ? Int32(0) : i % 3 == 1 ? Int32(CHEXPERT_UNCERTAIN_ONES.rawValue) : Int32(CHEXPERT_BLANK_IGNORE.rawValue)
        }
        #expect(chexpert_params_set_rules(params, many, Int(cxp_max_rules) + 1) == CHEXPERT_E_LIMIT.rawValue)
        #expect(chexpert_params_set_rules(params, many, Int(cxp_max_rules)) == CHEXPERT_OK.rawValue)
    }

    @Test func shardIndicesMatchTheCoreOrder() throws {
        let params = try makeParams([(CHEXPERT_KEY_SHUFFLE, 1), (CHEXPERT_KEY_SEED, -1), (CHEXPERT_KEY_EPOCH, 7),
                                     (CHEXPERT_KEY_START, 3), (CHEXPERT_KEY_RANK, 1), (CHEXPERT_KEY_WORLD, 4),
                                     (CHEXPERT_KEY_REMAINDER, value(CHEXPERT_REMAINDER_DROP))])
        defer { chexpert_params_free(params) }
        let order = try ShardOrder(count: 50, seed: UInt64.max, epoch: 7, shuffle: true, start: 3, rank: 1, world: 4,
                                   remainder: .drop)
        var expected = [Int64](repeating: -1, count: order.shardCount)
        try expected.withUnsafeMutableBufferPointer { (buffer) throws(ChexpertError) in try order.write(into: buffer) }
        var got = [Int64](repeating: -1, count: 20)
        var count = 0
        #expect(chexpert_shard_indices(params, 50, &got, got.count, &count) == CHEXPERT_OK.rawValue)
        #expect(Array(got.prefix(count)) == expected)
        // START and RANK are checked at the call; count against its limit.
        #expect(chexpert_shard_indices(params, 2, nil, 0, &count) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("CHEXPERT_KEY_START"))
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_WORLD), 1) == CHEXPERT_OK.rawValue)
        #expect(chexpert_shard_indices(params, 50, nil, 0, &count) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_shard_indices(nil, Int64(cxp_max_shard_count) + 1, nil, 0, &count) == CHEXPERT_E_LIMIT.rawValue)
        #expect(chexpert_shard_indices(nil, -1, nil, 0, &count) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_WORLD), Int64(cxp_max_world) + 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_WORLD), Int64(cxp_max_world)) == CHEXPERT_OK.rawValue)
    }

    @Test func limitsAreTheHeaders() {
        #expect(ReadSettings.defaultMaxPixels == cxp_default_max_pixels)
        #expect(ReadSettings.defaultMaxFileBytes == cxp_default_max_file_bytes)
        #expect(ReadSettings.limitCeiling == cxp_max_limit)
        #expect(Int64(Dataset.maxCSVBytes) == cxp_max_csv_bytes)
        #expect(ParallelWorkers.maxThreads == Int(cxp_max_threads))
        #expect(ResizeSpec.maxSide == Int(cxp_max_side))
        #expect(ShardOrder.maxCount == cxp_max_shard_count)
        #expect(ShardOrder.maxWorld == cxp_max_world)
        #expect(Selection.all.mask == ParamKey.selectAll)
    }

    @Test func resizedBatchesNeedASizeAndReportSubstitutions() throws {
        let good = try ImageTree.greyJPEG(height: 40, width: 30)
        let tree = try ImageTree([.init(file: "a/good.jpg", bytes: good), .init(file: "a/missing.jpg", bytes: nil),
                                  .init(file: "a/bad.jpg", bytes: Array("not a jpeg".utf8))])
        defer { tree.remove() }
        var ds: OpaquePointer?
        try #require(chexpert_dataset_open(&ds, tree.root, nil) == CHEXPERT_OK.rawValue)
        defer { chexpert_dataset_close(ds) }
        let params = try makeParams([(CHEXPERT_KEY_HEIGHT, 8)])
        defer { chexpert_params_free(params) }
        var bytes = 0
        #expect(chexpert_resize_output_bytes(params, 3, &bytes) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("CHEXPERT_KEY_WIDTH"))
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_WIDTH), 6) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_NORMALIZE), value(CHEXPERT_NORMALIZE_UNIT)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_resize_output_bytes(params, 3, &bytes) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)  // uint8
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_DTYPE), value(CHEXPERT_DTYPE_FLOAT32)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_NORMALIZE), value(CHEXPERT_NORMALIZE_CUSTOM)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_resize_output_bytes(params, 3, &bytes) == CHEXPERT_OK.rawValue && bytes == 3 * 8 * 6 * 3 * 4)
        var out = [Float](repeating: -9, count: 3 * 8 * 6 * 3)
        var statuses = [Int32](repeating: 99, count: 3)
        // CUSTOM needs MEAN and STD with `channels` values.
        #expect(chexpert_batch_resized(ds, 0, [0, 1, 2], 3, params, &out, bytes, &statuses) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set_floats(params, key(CHEXPERT_KEY_MEAN), [0.5, 0.5, 0.5], 3) == CHEXPERT_OK.rawValue)
        #expect(chexpert_params_set_floats(params, key(CHEXPERT_KEY_STD), [0.5, 0], 2) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set_floats(params, key(CHEXPERT_KEY_STD), [0.5, 0.5], 2) == CHEXPERT_OK.rawValue)
        #expect(chexpert_batch_resized(ds, 0, [0, 1, 2], 3, params, &out, bytes, &statuses) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set_floats(params, key(CHEXPERT_KEY_STD), [1e-44, 0.5, 0.5], 3) == CHEXPERT_OK.rawValue)
        #expect(chexpert_batch_resized(ds, 0, [0, 1, 2], 3, params, &out, bytes, &statuses) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("finite"))
        #expect(chexpert_params_set_floats(params, key(CHEXPERT_KEY_STD), [0.5, 0.5, 0.5], 3) == CHEXPERT_OK.rawValue)
        #expect(out.allSatisfy { $0 == -9 } && statuses.allSatisfy { $0 == 99 })
        // RAISE (the default): the first failing position's status.
        #expect(chexpert_batch_resized(ds, 0, [0, 1, 2], 3, params, &out, bytes, &statuses) == CHEXPERT_E_NOT_FOUND.rawValue)
        #expect(lastError().hasPrefix("batch position 1"))
        // SUBSTITUTE: OK, zero images, and each position's status.
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_ON_ERROR), value(CHEXPERT_ON_ERROR_SUBSTITUTE)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_batch_resized(ds, 0, [0, 1, 2], 3, params, &out, bytes, &statuses) == CHEXPERT_OK.rawValue, "\(lastError())")
        #expect(statuses == [CHEXPERT_OK.rawValue, CHEXPERT_E_NOT_FOUND.rawValue, CHEXPERT_E_IMAGE.rawValue])
        let example = 8 * 6 * 3
        #expect(out[example ..< 3 * example].allSatisfy { $0 == -1 })  // (0 - 0.5) / 0.5
        #expect(out[0 ..< example].contains { $0 != -1 })
        // Statuses are optional.
        #expect(chexpert_batch_resized(ds, 0, [2], 1, params, &out, bytes, nil) == CHEXPERT_OK.rawValue)
    }

    @Test func verifyGivesStatusesAndMessagesCutAtCharacters() throws {
        let good = try ImageTree.greyJPEG(height: 20, width: 10)
        let tree = try ImageTree([.init(file: "a/good.jpg", bytes: good), .init(file: "a/été-ünï.jpg", bytes: nil)])
        defer { tree.remove() }
        var ds: OpaquePointer?
        try #require(chexpert_dataset_open(&ds, tree.root, nil) == CHEXPERT_OK.rawValue)
        defer { chexpert_dataset_close(ds) }
        var h: Int32 = 0, w: Int32 = 0
        #expect(chexpert_example_image(ds, 0, 1, nil, 0, &h, &w) == CHEXPERT_E_NOT_FOUND.rawValue)
        let full = Array(lastError().utf8)
        #expect(chexpert_batch_verify(ds, 0, [0, 1], 2, nil, nil, nil, 0) == CHEXPERT_E_NULL_POINTER.rawValue)
        for stride in 1 ... full.count + 2 {
            var statuses = [Int32](repeating: 99, count: 2)
            var messages = [CChar](repeating: 0x55, count: 2 * stride)
            #expect(chexpert_batch_verify(ds, 0, [0, 1], 2, nil, &statuses, &messages, stride) == CHEXPERT_OK.rawValue)
            #expect(statuses == [CHEXPERT_OK.rawValue, CHEXPERT_E_NOT_FOUND.rawValue])
            #expect(messages[0] == 0)
            let second = Array(messages[stride ..< 2 * stride])
            let end = try #require(second.firstIndex(of: 0))
            let bytes = second[..<end].map { UInt8(bitPattern: $0) }
            #expect(bytes == Array(full.prefix(bytes.count)))
            #expect(String(validating: bytes, as: UTF8.self) != nil, "stride \(stride) splits a character")
            // The longest prefix that fits and ends on a character boundary.
            var expected = Swift.min(full.count, stride - 1)
            while expected < full.count, expected > 0, full[expected] & 0xC0 == 0x80 { expected -= 1 }
            #expect(bytes.count == expected)
        }
        var statuses = [Int32](repeating: 99, count: 1)
        #expect(chexpert_batch_verify(ds, 0, [5], 1, nil, &statuses, nil, 0) == CHEXPERT_E_OUT_OF_RANGE.rawValue)
        #expect(statuses == [99])
    }
}
