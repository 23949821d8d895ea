import CChexpertABI
import CChexpertLimits
import ChexpertCore

/// The values of a `chexpert_params`: what is set, checked per key when set.
/// A value type: calls work on a copy taken at their start
/// (`ParamSet.snapshot`). Bounded: at most one value per key, `channels`
/// floats per statistic, `CHEXPERT_MAX_RULES` rules.
struct ParamValues: Sendable {
    private var ints: [ParamKey: Int64] = [:]
    private var mean: [Float]?
    private var std: [Float]?
    private var rules: [TargetRule]?
    /// The CHEXPERT_KEY_AUG_* floats, as `ParamKey.checkAugmentFloats` returns them.
    var augmentFloats: [ParamKey: [Float]] = [:]

    /// The empty set: every key at its default (also what a NULL
    /// `chexpert_params` means).
    init() {}

    /// Sets an integer key. Setting `CHEXPERT_KEY_TARGET_PRESET` discards
    /// the rules. C: `chexpert_params_set`.
    /// - Throws: `.invalidArgument` (a float key, a value outside the key's
    ///   domain); the set is then unchanged.
    mutating func set(_ key: ParamKey, _ value: Int64) throws(ChexpertError) {
        try key.check(value)
        ints[key] = value
        if key == .targetPreset { rules = nil }
    }

    /// Sets a float key. C: `chexpert_params_set_floats`.
    /// - Parameter values: 1 ... 4 finite floats; for STD nonzero.
    /// - Throws: `.invalidArgument` (not a float key, count, a value).
    mutating func setFloats(_ key: ParamKey, _ values: UnsafeBufferPointer<Float>) throws(ChexpertError) {
        guard key.isFloat else {
            throw ChexpertError(.invalidArgument, "\(key.name) is not a float key (CHEXPERT_KEY_MEAN, CHEXPERT_KEY_STD, CHEXPERT_KEY_AUG_*)")
        }
        if key.isAugmentFloat {
            augmentFloats[key] = try key.checkAugmentFloats(values)
            return
        }
        guard values.count >= 1, values.count <= 4 else {
            throw ChexpertError(.invalidArgument, "\(key.name): count = \(values.count) is outside 1 ... 4")
        }
        for (i, value) in values.enumerated() {
            guard value.isFinite, key == .mean || value != 0 else {
                throw ChexpertError(.invalidArgument,
                                    "\(key.name)[\(i)] = \(value) is not \(key == .mean ? "finite" : "finite and nonzero")")
            }
        }
        if key == .mean { mean = Array(values) } else { std = Array(values) }
    }

    /// Sets custom target rules and discards `CHEXPERT_KEY_TARGET_PRESET`.
    /// C: `chexpert_params_set_rules`.
    mutating func setRules(_ rules: [TargetRule]) {
        self.rules = rules
        ints[.targetPreset] = nil
    }

    /// The key's value if set, else its default. C: `chexpert_params_get`.
    /// - Throws: `.invalidArgument` for a float key; `.notFound` for an unset
    ///   key without a default of its own.
    func get(_ key: ParamKey) throws(ChexpertError) -> Int64 {
        if let value = ints[key] { return value }
        switch key {
        case .dct, .onError:
            throw ChexpertError(.notFound, "\(key.name) is not set; its default is the dataset's")
        case .height, .width, .targetPreset, .cacheSide:
            throw ChexpertError(.notFound, "\(key.name) is not set and has no default")
        case .mean, .std, .augCropScale, .augCropRatio, .augRotate, .augTranslate, .augScale, .augShear, .augFill,
             .augBrightness, .augContrast, .augGamma, .augHflip:
            throw ChexpertError(.invalidArgument, "\(key.name) is a float key; chexpert_params_get reads integer keys")
        case .maxPixels: return Int64(cxp_default_max_pixels)
        case .maxFileBytes: return Int64(cxp_default_max_file_bytes)
        case .select: return ParamKey.selectAll
        case .threads, .shuffle, .seed, .epoch, .start, .rank: return 0
        case .confinePaths: return 1
        case .labels: return ParamEnums.labels.encode(.reports)
        case .augment: return ParamEnums.augment.encode(.none)
        case .resample: return ParamEnums.resample.encode(.fast)
        case .decodeScale: return ParamEnums.decodeScale.encode(.full)
        case .aggregate: return ParamEnums.aggregate.encode(.max)
        case .stratify: return -1
        case .evalLevel: return ParamEnums.evalLevel.encode(.image)
        case .bootstrap: return 1000
        case .evalUncertain: return ParamEnums.evalUncertain.encode(.exclude)
        case .channels: return 3
        case .world: return 1
        case .layout: return ParamEnums.layout.encode(.nhwc)
        case .dtype: return ParamEnums.dtype.encode(.uint8)
        case .fit: return ParamEnums.fit.encode(.cover)
        case .filter: return ParamEnums.filter.encode(.area)
        case .normalize: return ParamEnums.normalize.encode(.none)
        case .remainder: return ParamEnums.remainder.encode(.pad)
        case .targetNoFinding, .targetMaskedNaN:
            let flags = try preset()?.flags ?? TargetFlags()
            return (key == .targetNoFinding ? flags.noFinding : flags.maskedNaN) ? 1 : 0
        }
    }

    // MARK: Typed values, for the calls

    /// CHEXPERT_KEY_THREADS (default 0: the CPUs of the affinity mask).
    var threads: Int { Int(ints[.threads] ?? 0) }

    /// CHEXPERT_KEY_CONFINE_PATHS (default 1: confined).
    var confinePaths: Bool { (ints[.confinePaths] ?? 1) == 1 }

    /// CHEXPERT_KEY_LABELS (default CHEXPERT_LABELS_REPORTS).
    func labelSource() throws(ChexpertError) -> LabelSource {
        try ParamEnums.labels.decode(try get(.labels), for: ParamKey.labels.name)
    }

    /// CHEXPERT_KEY_DCT, or nil (the dataset's).
    func dct() throws(ChexpertError) -> DCTMethod? {
        guard let value = ints[.dct] else { return nil }
        return try ParamEnums.dct.decode(value, for: ParamKey.dct.name)
    }

    /// CHEXPERT_KEY_ON_ERROR, or nil (the dataset's).
    func onError() throws(ChexpertError) -> BadExamplePolicy? {
        guard let value = ints[.onError] else { return nil }
        return try ParamEnums.onError.decode(value, for: ParamKey.onError.name)
    }

    /// CHEXPERT_KEY_TARGET_PRESET, or nil.
    func preset() throws(ChexpertError) -> TargetPreset? {
        guard let value = ints[.targetPreset] else { return nil }
        return try ParamEnums.preset.decode(value, for: ParamKey.targetPreset.name)
    }

    /// The dataset options of `chexpert_dataset_open` (DCT, MAX_PIXELS,
    /// MAX_FILE_BYTES, ON_ERROR; unset keys at their defaults) and SELECT.
    func openOptions() throws(ChexpertError) -> (ReadSettings, Selection) {
        var settings = ReadSettings()
        if let dct = try dct() { settings.dct = dct }
        if let onError = try onError() { settings.onError = onError }
        settings.maxPixels = try get(.maxPixels)
        settings.maxFileBytes = try get(.maxFileBytes)
        return (settings, try Selection(mask: try get(.select)))
    }

    /// The spec of a resized batch.
    /// - Parameter checkingStatistics: false when only sizing
    ///   (`chexpert_resize_output_bytes`).
    /// - Throws: `.invalidArgument` naming a missing HEIGHT or WIDTH, and as
    ///   `ResizeSpec.init`.
    func resizeSpec(checkingStatistics: Bool) throws(ChexpertError) -> ResizeSpec {
        guard let height = ints[.height], let width = ints[.width] else {
            throw ChexpertError(.invalidArgument,
                                "\(ints[.height] == nil ? "CHEXPERT_KEY_HEIGHT" : "CHEXPERT_KEY_WIDTH") is not set; a resized batch needs CHEXPERT_KEY_HEIGHT and CHEXPERT_KEY_WIDTH")
        }
        let normalization = try ParamEnums.normalize.decode(try get(.normalize), for: ParamKey.normalize.name)
        var statistics: (mean: [Float], std: [Float])?
        if normalization == .custom, checkingStatistics {
            guard let mean, let std else {
                throw ChexpertError(.invalidArgument,
                                    "CHEXPERT_NORMALIZE_CUSTOM needs \(mean == nil ? "CHEXPERT_KEY_MEAN" : "CHEXPERT_KEY_STD") (set with chexpert_params_set_floats)")
            }
            statistics = (mean, std)
        }
        return try ResizeSpec(
            height: Int(height), width: Int(width), channels: Int(try get(.channels)),
            layout: try ParamEnums.layout.decode(try get(.layout), for: ParamKey.layout.name),
            elementType: try ParamEnums.dtype.decode(try get(.dtype), for: ParamKey.dtype.name),
            fit: try ParamEnums.fit.decode(try get(.fit), for: ParamKey.fit.name),
            filter: try ParamEnums.filter.decode(try get(.filter), for: ParamKey.filter.name),
            normalization: normalization, statistics: statistics,
            dct: try dct(), onError: try onError(),
            resample: try ParamEnums.resample.decode(try get(.resample), for: ParamKey.resample.name),
            decodeScale: try ParamEnums.decodeScale.decode(try get(.decodeScale), for: ParamKey.decodeScale.name),
            checkingStatistics: checkingStatistics)
    }

    /// The target rules and effective flags for `table`: the preset's,
    /// resolved by column name, or the custom rules checked against the
    /// table; flags from TARGET_NO_FINDING / TARGET_MASKED_NAN if set, else
    /// the preset's, else none.
    /// - Parameter file: the split's CSV, for messages.
    /// - Throws: `.invalidArgument` (neither a preset nor rules), `.notFound`
    ///   (a column the preset names), `.outOfRange` (a rule's label).
    func targets(for table: SplitTable, file: String) throws(ChexpertError) -> (rules: [TargetRule], flags: TargetFlags) {
        let resolved: [TargetRule]
        if let preset = try preset() {
            resolved = try preset.rules(for: table, file: file)
        } else if let rules {
            try table.checkRules(rules)
            resolved = rules
        } else {
            throw ChexpertError(.invalidArgument,
                                "params give no target rules: set CHEXPERT_KEY_TARGET_PRESET or call chexpert_params_set_rules()")
        }
        let flags = TargetFlags(noFinding: try get(.targetNoFinding) == 1, maskedNaN: try get(.targetMaskedNaN) == 1)
        return (resolved, flags)
    }

    /// The order of `chexpert_shard_indices` for `count` examples.
    /// - Throws: as `ShardOrder.init` (START against `count`, RANK against
    ///   WORLD, `count`).
    func shardOrder(count: Int64) throws(ChexpertError) -> ShardOrder {
        try ShardOrder(count: count, seed: UInt64(bitPattern: try get(.seed)), epoch: UInt64(bitPattern: try get(.epoch)),
                       shuffle: try get(.shuffle) == 1, start: try get(.start), rank: try get(.rank),
                       world: try get(.world),
                       remainder: try ParamEnums.remainder.decode(try get(.remainder), for: ParamKey.remainder.name))
    }
}

// MARK: Studies, patients, evaluation (keys 30 ... 34)

extension ParamValues {
    /// CHEXPERT_KEY_AGGREGATE (default MAX).
    func aggregation() throws(ChexpertError) -> ScoreAggregation {
        try ParamEnums.aggregate.decode(try get(.aggregate), for: ParamKey.aggregate.name)
    }

    /// The settings of `chexpert_evaluate`: EVAL_LEVEL, AGGREGATE, BOOTSTRAP,
    /// SEED, EVAL_UNCERTAIN.
    func evaluation() throws(ChexpertError) -> Evaluation {
        var evaluation = Evaluation()
        evaluation.level = try ParamEnums.evalLevel.decode(try get(.evalLevel), for: ParamKey.evalLevel.name)
        evaluation.aggregation = try aggregation()
        evaluation.uncertain = try ParamEnums.evalUncertain.decode(try get(.evalUncertain), for: ParamKey.evalUncertain.name)
        evaluation.bootstrap = Int(try get(.bootstrap))   // 0 ... CHEXPERT_MAX_BOOTSTRAP
        evaluation.seed = UInt64(bitPattern: try get(.seed))
        return evaluation
    }
}
