import CChexpertABI
import ChexpertCore

/// One tagged parameter enum of the C API (`chexpert_fit`, ...): its C type
/// name and its constants, each with its header value, its name and the core
/// value it maps to. Each table below is the one place where an enum's C
/// constants meet the core's values; the values come from the imported
/// header constants, so the compiler ties them to the header.
struct ParamEnum<Value: Equatable>: Sendable where Value: Sendable {
    let typeName: String
    let constants: [(value: Int64, name: String, core: Value)]

    /// The core value of a C value.
    /// - Parameter key: the key (or place) being set, for the message.
    /// - Throws: `.invalidArgument` naming the key, the value (and, if it is
    ///   another enum's constant, that constant) and the allowed constants.
    func decode(_ value: Int64, for key: String) throws(ChexpertError) -> Value {
        for constant in constants where constant.value == value { return constant.core }
        let other = ParamEnums.constantName(of: value).map { " (\($0))" } ?? ""
        throw ChexpertError(.invalidArgument, "\(key) = \(value)\(other) is not a \(typeName): expected \(expected)")
    }

    /// The C value of a core value.
    func encode(_ core: Value) -> Int64 {
        for constant in constants where constant.core == core { return constant.value }
        return -1  // unreachable: every table covers its core enum (tested)
    }

    /// "A, B or C".
    var expected: String {
        let names = constants.map(\.name)
        guard let last = names.last else { return "" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }
}

/// The tables of every tagged parameter enum.
enum ParamEnums {
    static let dct = ParamEnum<DCTMethod>(typeName: "chexpert_dct", constants: [
        (Int64(CHEXPERT_DCT_FAST.rawValue), "CHEXPERT_DCT_FAST", .fast),
        (Int64(CHEXPERT_DCT_ACCURATE.rawValue), "CHEXPERT_DCT_ACCURATE", .accurate),
    ])
    static let onError = ParamEnum<BadExamplePolicy>(typeName: "chexpert_on_error", constants: [
        (Int64(CHEXPERT_ON_ERROR_RAISE.rawValue), "CHEXPERT_ON_ERROR_RAISE", .raise),
        (Int64(CHEXPERT_ON_ERROR_SUBSTITUTE.rawValue), "CHEXPERT_ON_ERROR_SUBSTITUTE", .substitute),
    ])
    static let layout = ParamEnum<ResizeSpec.Layout>(typeName: "chexpert_layout", constants: [
        (Int64(CHEXPERT_LAYOUT_NHWC.rawValue), "CHEXPERT_LAYOUT_NHWC", .nhwc),
        (Int64(CHEXPERT_LAYOUT_NCHW.rawValue), "CHEXPERT_LAYOUT_NCHW", .nchw),
    ])
    static let dtype = ParamEnum<ResizeSpec.ElementType>(typeName: "chexpert_dtype", constants: [
        (Int64(CHEXPERT_DTYPE_UINT8.rawValue), "CHEXPERT_DTYPE_UINT8", .uint8),
        (Int64(CHEXPERT_DTYPE_FLOAT32.rawValue), "CHEXPERT_DTYPE_FLOAT32", .float32),
    ])
    static let fit = ParamEnum<ResizeSpec.Fit>(typeName: "chexpert_fit", constants: [
        (Int64(CHEXPERT_FIT_COVER.rawValue), "CHEXPERT_FIT_COVER", .cover),
        (Int64(CHEXPERT_FIT_CONTAIN.rawValue), "CHEXPERT_FIT_CONTAIN", .contain),
        (Int64(CHEXPERT_FIT_STRETCH.rawValue), "CHEXPERT_FIT_STRETCH", .stretch),
    ])
    static let filter = ParamEnum<ResampleFilter>(typeName: "chexpert_filter", constants: [
        (Int64(CHEXPERT_FILTER_AREA.rawValue), "CHEXPERT_FILTER_AREA", .area),
        (Int64(CHEXPERT_FILTER_BILINEAR.rawValue), "CHEXPERT_FILTER_BILINEAR", .bilinear),
    ])
    static let normalize = ParamEnum<ResizeSpec.Normalization>(typeName: "chexpert_normalize", constants: [
        (Int64(CHEXPERT_NORMALIZE_NONE.rawValue), "CHEXPERT_NORMALIZE_NONE", .none),
        (Int64(CHEXPERT_NORMALIZE_UNIT.rawValue), "CHEXPERT_NORMALIZE_UNIT", .unit),
        (Int64(CHEXPERT_NORMALIZE_IMAGENET.rawValue), "CHEXPERT_NORMALIZE_IMAGENET", .imagenet),
        (Int64(CHEXPERT_NORMALIZE_XRV.rawValue), "CHEXPERT_NORMALIZE_XRV", .xrv),
        (Int64(CHEXPERT_NORMALIZE_CUSTOM.rawValue), "CHEXPERT_NORMALIZE_CUSTOM", .custom),
    ])
    static let preset = ParamEnum<TargetPreset>(typeName: "chexpert_preset", constants: [
        (Int64(CHEXPERT_PRESET_PAPER.rawValue), "CHEXPERT_PRESET_PAPER", .paper),
        (Int64(CHEXPERT_PRESET_LIBAUC.rawValue), "CHEXPERT_PRESET_LIBAUC", .libAUC),
        (Int64(CHEXPERT_PRESET_XRV.rawValue), "CHEXPERT_PRESET_XRV", .xrv),
    ])
    static let remainder = ParamEnum<ShardOrder.Remainder>(typeName: "chexpert_remainder", constants: [
        (Int64(CHEXPERT_REMAINDER_PAD.rawValue), "CHEXPERT_REMAINDER_PAD", .pad),
        (Int64(CHEXPERT_REMAINDER_DROP.rawValue), "CHEXPERT_REMAINDER_DROP", .drop),
        (Int64(CHEXPERT_REMAINDER_UNEVEN.rawValue), "CHEXPERT_REMAINDER_UNEVEN", .uneven),
    ])
    static let uncertain = ParamEnum<UncertainPolicy>(typeName: "chexpert_uncertain", constants: [
        (Int64(CHEXPERT_UNCERTAIN_IGNORE.rawValue), "CHEXPERT_UNCERTAIN_IGNORE", .ignore),
        (Int64(CHEXPERT_UNCERTAIN_ZEROS.rawValue), "CHEXPERT_UNCERTAIN_ZEROS", .zeros),
        (Int64(CHEXPERT_UNCERTAIN_ONES.rawValue), "CHEXPERT_UNCERTAIN_ONES", .ones),
        (Int64(CHEXPERT_UNCERTAIN_MULTICLASS.rawValue), "CHEXPERT_UNCERTAIN_MULTICLASS", .multiClass),
        (Int64(CHEXPERT_UNCERTAIN_RAW.rawValue), "CHEXPERT_UNCERTAIN_RAW", .raw),
    ])
    static let blank = ParamEnum<BlankPolicy>(typeName: "chexpert_blank", constants: [
        (Int64(CHEXPERT_BLANK_NEGATIVE.rawValue), "CHEXPERT_BLANK_NEGATIVE", .negative),
        (Int64(CHEXPERT_BLANK_IGNORE.rawValue), "CHEXPERT_BLANK_IGNORE", .ignore),
    ])
    static let aggregate = ParamEnum<ScoreAggregation>(typeName: "chexpert_aggregate", constants: [
        (Int64(CHEXPERT_AGGREGATE_MAX.rawValue), "CHEXPERT_AGGREGATE_MAX", .max),
        (Int64(CHEXPERT_AGGREGATE_MEAN.rawValue), "CHEXPERT_AGGREGATE_MEAN", .mean),
    ])
    static let evalLevel = ParamEnum<Evaluation.Level>(typeName: "chexpert_eval_level", constants: [
        (Int64(CHEXPERT_EVAL_LEVEL_IMAGE.rawValue), "CHEXPERT_EVAL_LEVEL_IMAGE", .image),
        (Int64(CHEXPERT_EVAL_LEVEL_STUDY.rawValue), "CHEXPERT_EVAL_LEVEL_STUDY", .study),
    ])
    static let evalUncertain = ParamEnum<Evaluation.Uncertain>(typeName: "chexpert_eval_uncertain", constants: [
        (Int64(CHEXPERT_EVAL_UNCERTAIN_EXCLUDE.rawValue), "CHEXPERT_EVAL_UNCERTAIN_EXCLUDE", .exclude),
        (Int64(CHEXPERT_EVAL_UNCERTAIN_POSITIVE.rawValue), "CHEXPERT_EVAL_UNCERTAIN_POSITIVE", .positive),
        (Int64(CHEXPERT_EVAL_UNCERTAIN_NEGATIVE.rawValue), "CHEXPERT_EVAL_UNCERTAIN_NEGATIVE", .negative),
    ])

    static let resample = ParamEnum<ResizeSpec.Resample>(typeName: "chexpert_resample", constants: [
        (Int64(CHEXPERT_RESAMPLE_FAST.rawValue), "CHEXPERT_RESAMPLE_FAST", .fast),
        (Int64(CHEXPERT_RESAMPLE_EXACT.rawValue), "CHEXPERT_RESAMPLE_EXACT", .exact),
    ])
    static let labels = ParamEnum<LabelSource>(typeName: "chexpert_labels", constants: [
        (Int64(CHEXPERT_LABELS_REPORTS.rawValue), "CHEXPERT_LABELS_REPORTS", .reports),
        (Int64(CHEXPERT_LABELS_CHEXBERT.rawValue), "CHEXPERT_LABELS_CHEXBERT", .chexbert),
        (Int64(CHEXPERT_LABELS_VISUALCHEXBERT.rawValue), "CHEXPERT_LABELS_VISUALCHEXBERT", .visualCheXbert),
    ])
    static let decodeScale = ParamEnum<ResizeSpec.DecodeScale>(typeName: "chexpert_decode_scale", constants: [
        (Int64(CHEXPERT_DECODE_SCALE_FULL.rawValue), "CHEXPERT_DECODE_SCALE_FULL", .full),
        (Int64(CHEXPERT_DECODE_SCALE_AUTO.rawValue), "CHEXPERT_DECODE_SCALE_AUTO", .auto),
    ])

    /// Every tagged constant's (value, name), to name a value of the wrong enum.
    static let allConstants: [(value: Int64, name: String)] = {
        func pairs<V>(_ e: ParamEnum<V>) -> [(value: Int64, name: String)] { e.constants.map { ($0.value, $0.name) } }
        return pairs(dct) + pairs(onError) + pairs(layout) + pairs(dtype) + pairs(fit) + pairs(filter)
            + pairs(normalize) + pairs(preset) + pairs(remainder) + pairs(uncertain) + pairs(blank)
            + pairs(resample) + pairs(decodeScale) + pairs(labels)
            + pairs(aggregate) + pairs(evalLevel) + pairs(evalUncertain) + pairs(augment)
    }()

    /// The name of the tagged constant whose value is `value`, if any.
    static func constantName(of value: Int64) -> String? {
        allConstants.first { $0.value == value }?.name
    }
}
