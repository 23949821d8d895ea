import CChexpertABI
import ChexpertCore

/// `CHEXPERT_KEY_AUGMENT`'s value: none, or a preset's ranges.
enum AugmentMode: Equatable, Sendable {
    case none
    case preset(AugmentParams.Preset)
}

extension ParamEnums {
    static let augment = ParamEnum<AugmentMode>(typeName: "chexpert_augment", constants: [
        (Int64(CHEXPERT_AUGMENT_NONE.rawValue), "CHEXPERT_AUGMENT_NONE", .none),
        (Int64(CHEXPERT_AUGMENT_CUSTOM.rawValue), "CHEXPERT_AUGMENT_CUSTOM", .preset(.custom)),
        (Int64(CHEXPERT_AUGMENT_JFHEALTHCARE.rawValue), "CHEXPERT_AUGMENT_JFHEALTHCARE", .preset(.jfhealthcare)),
        (Int64(CHEXPERT_AUGMENT_LIBAUC.rawValue), "CHEXPERT_AUGMENT_LIBAUC", .preset(.libauc)),
    ])
}

/// The augmentation keys (40 ... 51): numbers, names and the float keys'
/// lengths and domains (see each key in chexpert.h).
extension ParamKey {
    private static let augmentKeys: [(key: ParamKey, raw: CInt, name: String)] = [
        (.augment, CInt(CHEXPERT_KEY_AUGMENT.rawValue), "CHEXPERT_KEY_AUGMENT"),
        (.augCropScale, CInt(CHEXPERT_KEY_AUG_CROP_SCALE.rawValue), "CHEXPERT_KEY_AUG_CROP_SCALE"),
        (.augCropRatio, CInt(CHEXPERT_KEY_AUG_CROP_RATIO.rawValue), "CHEXPERT_KEY_AUG_CROP_RATIO"),
        (.augRotate, CInt(CHEXPERT_KEY_AUG_ROTATE.rawValue), "CHEXPERT_KEY_AUG_ROTATE"),
        (.augTranslate, CInt(CHEXPERT_KEY_AUG_TRANSLATE.rawValue), "CHEXPERT_KEY_AUG_TRANSLATE"),
        (.augScale, CInt(CHEXPERT_KEY_AUG_SCALE.rawValue), "CHEXPERT_KEY_AUG_SCALE"),
        (.augShear, CInt(CHEXPERT_KEY_AUG_SHEAR.rawValue), "CHEXPERT_KEY_AUG_SHEAR"),
        (.augFill, CInt(CHEXPERT_KEY_AUG_FILL.rawValue), "CHEXPERT_KEY_AUG_FILL"),
        (.augBrightness, CInt(CHEXPERT_KEY_AUG_BRIGHTNESS.rawValue), "CHEXPERT_KEY_AUG_BRIGHTNESS"),
        (.augContrast, CInt(CHEXPERT_KEY_AUG_CONTRAST.rawValue), "CHEXPERT_KEY_AUG_CONTRAST"),
        (.augGamma, CInt(CHEXPERT_KEY_AUG_GAMMA.rawValue), "CHEXPERT_KEY_AUG_GAMMA"),
        (.augHflip, CInt(CHEXPERT_KEY_AUG_HFLIP.rawValue), "CHEXPERT_KEY_AUG_HFLIP"),
    ]

    /// The augmentation key of a C `int`, or nil.
    static func augmentKey(_ raw: CInt) -> ParamKey? {
        augmentKeys.first { $0.raw == raw }?.key
    }

    /// The constant's name of an augmentation key ("" for another key).
    var augmentName: String {
        Self.augmentKeys.first { $0.key == self }?.name ?? ""
    }

    /// Whether the key is one of the AUG_* float keys.
    var isAugmentFloat: Bool { self != .augment && Self.augmentKeys.contains { $0.key == self } }

    /// A float key's domain: the value counts allowed, the range of every
    /// value, whether pairs must be ordered (low <= high), and what a single
    /// value means.
    private enum Single { case none, symmetric, factor }
    private var floatDomain: (counts: [Int], range: ClosedRange<Float>, single: Single, singleRange: ClosedRange<Float>)? {
        switch self {
        case .augCropScale: ([2], 0 ... 1, .none, 0 ... 0)
        case .augCropRatio: ([2], 0 ... 100, .none, 0 ... 0)
        case .augRotate: ([1, 2], -360 ... 360, .symmetric, 0 ... 360)
        case .augTranslate: ([2], 0 ... 1, .none, 0 ... 0)
        case .augScale: ([2], 0.1 ... 10, .none, 0 ... 0)
        case .augShear: ([1, 2, 4], -60 ... 60, .symmetric, 0 ... 60)
        case .augFill: ([1], 0 ... 255, .none, 0 ... 255)
        case .augBrightness, .augContrast: ([1, 2], 0 ... 10, .factor, 0 ... 10)
        case .augGamma: ([2], 0.1 ... 10, .none, 0 ... 0)
        case .augHflip: ([1], 0 ... 1, .none, 0 ... 1)
        default: nil
        }
    }

    /// Checks an AUG_* key's floats and returns them in their stored form
    /// (a single symmetric or factor value expanded to its pair).
    /// - Throws: `.invalidArgument` naming the key: count, a value outside
    ///   the domain, a pair with low > high, a ratio or crop scale of 0.
    func checkAugmentFloats(_ values: UnsafeBufferPointer<Float>) throws(ChexpertError) -> [Float] {
        guard let domain = floatDomain else {
            throw ChexpertError(.invalidArgument, "\(name) is not an augmentation float key")
        }
        let counts = domain.counts.map(String.init).joined(separator: " or ")
        guard domain.counts.contains(values.count) else {
            throw ChexpertError(.invalidArgument, "\(name): count = \(values.count); expected \(counts) values")
        }
        let single = values.count == 1 && domain.single != .none
        let range = single || values.count == 1 ? domain.singleRange : domain.range
        for (i, value) in values.enumerated() {
            guard value.isFinite, range.contains(value) else {
                throw ChexpertError(.invalidArgument, "\(name)[\(i)] = \(value) is outside \(range.lowerBound) ... \(range.upperBound)")
            }
        }
        if self == .augCropScale || self == .augCropRatio, values.contains(where: { $0 <= 0 }) {
            throw ChexpertError(.invalidArgument, "\(name) values must be > 0")
        }
        if values.count >= 2, self != .augTranslate {
            for pair in stride(from: 0, to: values.count, by: 2) where values[pair] > values[pair + 1] {
                throw ChexpertError(.invalidArgument, "\(name): low \(values[pair]) > high \(values[pair + 1])")
            }
        }
        guard single, let v = values.first else { return Array(values) }
        return domain.single == .symmetric ? [-v, v] : [Swift.max(0, 1 - v), 1 + v]
    }
}

extension ParamValues {
    /// The augmentation of a resized batch: nil for CHEXPERT_AUGMENT_NONE
    /// (the default), else the preset's ranges with each set AUG_* key
    /// replacing its part, and SEED and EPOCH.
    func augmentParams() throws(ChexpertError) -> AugmentParams? {
        guard case .preset(let preset) = try ParamEnums.augment.decode(try get(.augment), for: ParamKey.augment.name) else {
            return nil
        }
        var params = AugmentParams(preset: preset)
        func pair(_ key: ParamKey, at offset: Int = 0) -> ClosedRange<Double>? {
            guard let v = augmentFloats[key], v.count >= offset + 2, v[offset] <= v[offset + 1] else { return nil }
            return Double(v[offset]) ... Double(v[offset + 1])   // ordered when set (checkAugmentFloats)
        }
        func single(_ key: ParamKey) -> Double? { augmentFloats[key]?.first.map(Double.init) }
        if let v = pair(.augCropScale) { params.cropScale = v }
        if let v = pair(.augCropRatio) { params.cropRatio = v }
        if let v = pair(.augRotate) { params.rotate = v }
        if let v = augmentFloats[.augTranslate], v.count == 2 { (params.translateX, params.translateY) = (Double(v[0]), Double(v[1])) }
        if let v = pair(.augScale) { params.scale = v }
        if let v = pair(.augShear) {
            params.shearX = v
            params.shearY = pair(.augShear, at: 2) ?? 0 ... 0
        }
        if let v = single(.augFill) { params.fill = v }
        if let v = pair(.augBrightness) { params.brightness = v }
        if let v = pair(.augContrast) { params.contrast = v }
        if let v = pair(.augGamma) { params.gamma = v }
        if let v = single(.augHflip) { params.hflip = v }
        params.seed = UInt64(bitPattern: try get(.seed))
        params.epoch = UInt64(bitPattern: try get(.epoch))
        return params
    }
}
