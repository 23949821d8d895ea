import CChexpertABI
import CChexpertLimits
import ChexpertCore

/// A `chexpert_key`: the C wire format of parameter and option keys, with
/// each integer key's domain (checked when it is set).
enum ParamKey: CaseIterable, Sendable {
    case dct, maxPixels, maxFileBytes, select, onError, threads
    case height, width, channels, layout, dtype, fit, filter, normalize, mean, std
    case targetPreset, targetNoFinding, targetMaskedNaN
    case shuffle, seed, epoch, start, rank, world, remainder
    case confinePaths, labels
    case augment, augCropScale, augCropRatio, augRotate, augTranslate, augScale, augShear, augFill
    case augBrightness, augContrast, augGamma, augHflip
    case resample, decodeScale
    case cacheSide
    case aggregate, stratify, evalLevel, bootstrap, evalUncertain

    /// The key of a C `int`, or nil for a number that is not a `chexpert_key`.
    init?(_ raw: CInt) {
        switch raw {
        case CInt(CHEXPERT_KEY_DCT.rawValue): self = .dct
        case CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue): self = .maxPixels
        case CInt(CHEXPERT_KEY_MAX_FILE_BYTES.rawValue): self = .maxFileBytes
        case CInt(CHEXPERT_KEY_SELECT.rawValue): self = .select
        case CInt(CHEXPERT_KEY_ON_ERROR.rawValue): self = .onError
        case CInt(CHEXPERT_KEY_THREADS.rawValue): self = .threads
        case CInt(CHEXPERT_KEY_HEIGHT.rawValue): self = .height
        case CInt(CHEXPERT_KEY_WIDTH.rawValue): self = .width
        case CInt(CHEXPERT_KEY_CHANNELS.rawValue): self = .channels
        case CInt(CHEXPERT_KEY_LAYOUT.rawValue): self = .layout
        case CInt(CHEXPERT_KEY_DTYPE.rawValue): self = .dtype
        case CInt(CHEXPERT_KEY_FIT.rawValue): self = .fit
        case CInt(CHEXPERT_KEY_FILTER.rawValue): self = .filter
        case CInt(CHEXPERT_KEY_NORMALIZE.rawValue): self = .normalize
        case CInt(CHEXPERT_KEY_MEAN.rawValue): self = .mean
        case CInt(CHEXPERT_KEY_STD.rawValue): self = .std
        case CInt(CHEXPERT_KEY_TARGET_PRESET.rawValue): self = .targetPreset
        case CInt(CHEXPERT_KEY_TARGET_NO_FINDING.rawValue): self = .targetNoFinding
        case CInt(CHEXPERT_KEY_TARGET_MASKED_NAN.rawValue): self = .targetMaskedNaN
        case CInt(CHEXPERT_KEY_SHUFFLE.rawValue): self = .shuffle
        case CInt(CHEXPERT_KEY_SEED.rawValue): self = .seed
        case CInt(CHEXPERT_KEY_EPOCH.rawValue): self = .epoch
        case CInt(CHEXPERT_KEY_START.rawValue): self = .start
        case CInt(CHEXPERT_KEY_RANK.rawValue): self = .rank
        case CInt(CHEXPERT_KEY_WORLD.rawValue): self = .world
        case CInt(CHEXPERT_KEY_REMAINDER.rawValue): self = .remainder
        case CInt(CHEXPERT_KEY_CONFINE_PATHS.rawValue): self = .confinePaths
        case CInt(CHEXPERT_KEY_LABELS.rawValue): self = .labels
        case CInt(CHEXPERT_KEY_RESAMPLE.rawValue): self = .resample
        case CInt(CHEXPERT_KEY_DECODE_SCALE.rawValue): self = .decodeScale
        case CInt(CHEXPERT_KEY_CACHE_SIDE.rawValue): self = .cacheSide
        case CInt(CHEXPERT_KEY_AGGREGATE.rawValue): self = .aggregate
        case CInt(CHEXPERT_KEY_STRATIFY.rawValue): self = .stratify
        case CInt(CHEXPERT_KEY_EVAL_LEVEL.rawValue): self = .evalLevel
        case CInt(CHEXPERT_KEY_BOOTSTRAP.rawValue): self = .bootstrap
        case CInt(CHEXPERT_KEY_EVAL_UNCERTAIN.rawValue): self = .evalUncertain
        default:
            guard let key = ParamKey.augmentKey(raw) else { return nil }
            self = key
        }
    }

    /// A key argument.
    /// - Throws: `.invalidArgument` for a number that is not a `chexpert_key`.
    static func parse(_ raw: CInt) throws(ChexpertError) -> ParamKey {
        guard let key = ParamKey(raw) else {
            throw ChexpertError(.invalidArgument, "key = \(raw) is not a chexpert_key")
        }
        return key
    }

    /// The constant's name, for messages.
    var name: String {
        switch self {
        case .dct: "CHEXPERT_KEY_DCT"
        case .maxPixels: "CHEXPERT_KEY_MAX_PIXELS"
        case .maxFileBytes: "CHEXPERT_KEY_MAX_FILE_BYTES"
        case .select: "CHEXPERT_KEY_SELECT"
        case .onError: "CHEXPERT_KEY_ON_ERROR"
        case .threads: "CHEXPERT_KEY_THREADS"
        case .height: "CHEXPERT_KEY_HEIGHT"
        case .width: "CHEXPERT_KEY_WIDTH"
        case .channels: "CHEXPERT_KEY_CHANNELS"
        case .layout: "CHEXPERT_KEY_LAYOUT"
        case .dtype: "CHEXPERT_KEY_DTYPE"
        case .fit: "CHEXPERT_KEY_FIT"
        case .filter: "CHEXPERT_KEY_FILTER"
        case .normalize: "CHEXPERT_KEY_NORMALIZE"
        case .mean: "CHEXPERT_KEY_MEAN"
        case .std: "CHEXPERT_KEY_STD"
        case .targetPreset: "CHEXPERT_KEY_TARGET_PRESET"
        case .targetNoFinding: "CHEXPERT_KEY_TARGET_NO_FINDING"
        case .targetMaskedNaN: "CHEXPERT_KEY_TARGET_MASKED_NAN"
        case .shuffle: "CHEXPERT_KEY_SHUFFLE"
        case .seed: "CHEXPERT_KEY_SEED"
        case .epoch: "CHEXPERT_KEY_EPOCH"
        case .start: "CHEXPERT_KEY_START"
        case .rank: "CHEXPERT_KEY_RANK"
        case .world: "CHEXPERT_KEY_WORLD"
        case .remainder: "CHEXPERT_KEY_REMAINDER"
        case .confinePaths: "CHEXPERT_KEY_CONFINE_PATHS"
        case .labels: "CHEXPERT_KEY_LABELS"
        case .augment, .augCropScale, .augCropRatio, .augRotate, .augTranslate, .augScale, .augShear, .augFill,
             .augBrightness, .augContrast, .augGamma, .augHflip: augmentName
        case .resample: "CHEXPERT_KEY_RESAMPLE"
        case .decodeScale: "CHEXPERT_KEY_DECODE_SCALE"
        case .cacheSide: "CHEXPERT_KEY_CACHE_SIDE"
        case .aggregate: "CHEXPERT_KEY_AGGREGATE"
        case .stratify: "CHEXPERT_KEY_STRATIFY"
        case .evalLevel: "CHEXPERT_KEY_EVAL_LEVEL"
        case .bootstrap: "CHEXPERT_KEY_BOOTSTRAP"
        case .evalUncertain: "CHEXPERT_KEY_EVAL_UNCERTAIN"
        }
    }

    /// CHEXPERT_SELECT_ALL (every projection's bit).
    static let selectAll: Int64 = cxp_select_all

    /// Whether the key takes floats (`chexpert_params_set_floats`).
    var isFloat: Bool { self == .mean || self == .std || isAugmentFloat }

    /// Whether the key is a dataset option (`chexpert_dataset_set_option`).
    var isDatasetOption: Bool { self == .dct || self == .maxPixels || self == .maxFileBytes || self == .onError }

    /// Checks `value` against the key's domain (see each key in chexpert.h).
    /// - Throws: `.invalidArgument` naming the key and value; for a float key.
    func check(_ value: Int64) throws(ChexpertError) {
        func within(_ range: ClosedRange<Int64>, _ what: String = "") throws(ChexpertError) {
            guard range.contains(value) else {
                throw ChexpertError(.invalidArgument, "\(name) = \(value) is outside \(what.isEmpty ? "\(range.lowerBound) ... \(range.upperBound)" : what)")
            }
        }
        switch self {
        case .dct: _ = try ParamEnums.dct.decode(value, for: name)
        case .onError: _ = try ParamEnums.onError.decode(value, for: name)
        case .layout: _ = try ParamEnums.layout.decode(value, for: name)
        case .dtype: _ = try ParamEnums.dtype.decode(value, for: name)
        case .fit: _ = try ParamEnums.fit.decode(value, for: name)
        case .filter: _ = try ParamEnums.filter.decode(value, for: name)
        case .normalize: _ = try ParamEnums.normalize.decode(value, for: name)
        case .targetPreset: _ = try ParamEnums.preset.decode(value, for: name)
        case .remainder: _ = try ParamEnums.remainder.decode(value, for: name)
        case .augment: _ = try ParamEnums.augment.decode(value, for: name)
        case .resample: _ = try ParamEnums.resample.decode(value, for: name)
        case .decodeScale: _ = try ParamEnums.decodeScale.decode(value, for: name)
        case .aggregate: _ = try ParamEnums.aggregate.decode(value, for: name)
        case .evalLevel: _ = try ParamEnums.evalLevel.decode(value, for: name)
        case .evalUncertain: _ = try ParamEnums.evalUncertain.decode(value, for: name)
        case .labels: _ = try ParamEnums.labels.decode(value, for: name)
        case .stratify:
            try within(-1 ... Int64(CHEXPERT_MAX_CSV_COLUMNS) - 1, "-1 (none) ... CHEXPERT_MAX_CSV_COLUMNS - 1 (a label column)")
        case .bootstrap:
            try within(0 ... Int64(CHEXPERT_MAX_BOOTSTRAP), "0 ... CHEXPERT_MAX_BOOTSTRAP (\(CHEXPERT_MAX_BOOTSTRAP))")
        case .maxPixels, .maxFileBytes:
            try within(1 ... Int64(cxp_max_limit), "1 ... CHEXPERT_MAX_LIMIT (\(cxp_max_limit))")
        case .select:
            let all = ParamKey.selectAll
            guard value != 0, value & ~all == 0 else {
                throw ChexpertError(.invalidArgument,
                                    "\(name) = \(value) is not a nonzero mask of CHEXPERT_SELECT_* bits (CHEXPERT_SELECT_ALL = \(all))")
            }
        case .threads:
            try within(0 ... Int64(cxp_max_threads), "0 (all CPUs) ... CHEXPERT_MAX_THREADS (\(cxp_max_threads))")
        case .height, .width, .cacheSide:
            try within(1 ... Int64(cxp_max_side), "1 ... CHEXPERT_MAX_SIDE (\(cxp_max_side))")
        case .channels:
            guard value == 1 || value == 3 else { throw ChexpertError(.invalidArgument, "\(name) = \(value); expected 1 or 3") }
        case .targetNoFinding, .targetMaskedNaN, .shuffle, .confinePaths:
            guard value == 0 || value == 1 else { throw ChexpertError(.invalidArgument, "\(name) = \(value); expected 0 or 1") }
        case .seed, .epoch: break
        case .start: try within(0 ... Int64(cxp_max_shard_count), "0 ... count (at most CHEXPERT_MAX_SHARD_COUNT)")
        case .rank: try within(0 ... Int64(cxp_max_world) - 1, "0 ..< CHEXPERT_KEY_WORLD (at most CHEXPERT_MAX_WORLD - 1)")
        case .world: try within(1 ... Int64(cxp_max_world), "1 ... CHEXPERT_MAX_WORLD (\(cxp_max_world))")
        case .mean, .std, .augCropScale, .augCropRatio, .augRotate, .augTranslate, .augScale, .augShear, .augFill,
             .augBrightness, .augContrast, .augGamma, .augHflip:
            throw ChexpertError(.invalidArgument, "\(name) is a float key: set it with chexpert_params_set_floats()")
        }
    }
}
