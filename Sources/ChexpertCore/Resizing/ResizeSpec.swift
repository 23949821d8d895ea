/// What a resized batch looks like: output size, channels, layout, element
/// type, geometry, filter and intensity mapping. Built once per call from the
/// C API's {key, value} pairs (`chexpert_resize_key`); raw values of the
/// nested enums are the header's constants.
public struct ResizeSpec: Sendable, Equatable {
    public enum Layout: Int64, Sendable { case nhwc = 0, nchw = 1 }
    public enum ElementType: Int64, Sendable { case uint8 = 0, float32 = 1 }
    public enum Fit: Int64, Sendable { case cover = 0, contain = 1, stretch = 2 }
    public enum Normalization: Int64, Sendable { case none = 0, unit = 1, imagenet = 2, xrv = 3, custom = 4 }

    /// The keys of the C API's `params` pairs.
    enum Key: Int64 {
        case height = 1, width = 2, channels = 3, layout = 4, dtype = 5, fit = 6, filter = 7, normalize = 8, dct = 9
        case onError = 10
    }

    public var height = 0
    public var width = 0
    public var channels = 3
    public var layout = Layout.nhwc
    public var elementType = ElementType.uint8
    public var fit = Fit.cover
    public var filter = ResampleFilter.area
    public var normalization = Normalization.none
    /// nil: the dataset's DCT option.
    public var dct: DCTMethod?
    /// nil: the dataset's CHEXPERT_OPTION_ON_ERROR.
    public var onError: BadExamplePolicy?
    /// Per output channel: out = (v / 255 - mean) / std.
    public var mean: [Float] = []
    public var std: [Float] = []

    /// Parses `{key, value}` pairs and, for `.custom`, the statistics.
    /// - Parameter sizingOnly: the spec only sizes a batch: `.custom` needs no
    ///   statistics (they do not change the size) and gets placeholders.
    /// - Throws: `.invalidArgument` naming the key or array at fault.
    public init(params: UnsafeBufferPointer<Int64>, mean: UnsafeBufferPointer<Float>?,
                std: UnsafeBufferPointer<Float>?, sizingOnly: Bool = false) throws(ChexpertError) {
        func invalid(_ message: String) -> ChexpertError { ChexpertError(.invalidArgument, message) }
        guard params.count % 2 == 0 else {
            throw invalid("param_count = \(params.count) is odd; params holds {key, value} pairs")
        }
        for pair in stride(from: 0, to: params.count, by: 2) {
            let rawKey = params[pair], value = params[pair + 1]
            guard let key = Key(rawValue: rawKey) else {
                throw invalid("params[\(pair)] = \(rawKey) is not a chexpert_resize_key")
            }
            func parsed<T: RawRepresentable>(_ type: T.Type, _ name: String) throws(ChexpertError) -> T where T.RawValue == Int64 {
                guard let parsed = T(rawValue: value) else { throw invalid("\(name) value \(value) is not valid") }
                return parsed
            }
            switch key {
            case .height, .width:
                guard value >= 1, value <= 65_535 else {
                    throw invalid("CHEXPERT_RESIZE_\(key == .height ? "HEIGHT" : "WIDTH") = \(value) is outside 1 ... 65535")
                }
                if key == .height { height = Int(value) } else { width = Int(value) }
            case .channels:
                guard value == 1 || value == 3 else { throw invalid("CHEXPERT_RESIZE_CHANNELS = \(value); expected 1 or 3") }
                channels = Int(value)
            case .layout: layout = try parsed(Layout.self, "CHEXPERT_RESIZE_LAYOUT")
            case .dtype: elementType = try parsed(ElementType.self, "CHEXPERT_RESIZE_DTYPE")
            case .fit: fit = try parsed(Fit.self, "CHEXPERT_RESIZE_FIT")
            case .filter: filter = try parsed(ResampleFilter.self, "CHEXPERT_RESIZE_FILTER")
            case .normalize: normalization = try parsed(Normalization.self, "CHEXPERT_RESIZE_NORMALIZE")
            case .dct: dct = try parsed(DCTMethod.self, "CHEXPERT_RESIZE_DCT")
            case .onError: onError = try parsed(BadExamplePolicy.self, "CHEXPERT_RESIZE_ON_ERROR")
            }
        }
        guard height > 0, width > 0 else {
            throw invalid("params must give CHEXPERT_RESIZE_HEIGHT and CHEXPERT_RESIZE_WIDTH")
        }
        if elementType == .uint8, normalization != .none {
            throw invalid("CHEXPERT_DTYPE_UINT8 takes only CHEXPERT_NORMALIZE_NONE; use CHEXPERT_DTYPE_FLOAT32 to normalise")
        }
        let given = (mean?.count ?? 0, std?.count ?? 0)
        if normalization == .custom, sizingOnly, given == (0, 0) {
            (self.mean, self.std) = (Array(repeating: 0, count: channels), Array(repeating: 1, count: channels))
        } else if normalization == .custom {
            guard let mean, let std, mean.count == channels, std.count == channels else {
                throw invalid("CHEXPERT_NORMALIZE_CUSTOM needs mean and std with \(channels) elements each (got \(given.0) and \(given.1))")
            }
            guard std.allSatisfy({ $0.isFinite && $0 != 0 }), mean.allSatisfy(\.isFinite) else {
                throw invalid("std must be finite and nonzero and mean finite")
            }
            self.mean = Array(mean)
            self.std = Array(std)
        } else {
            guard given == (0, 0) else {
                throw invalid("mean and std are only taken with CHEXPERT_NORMALIZE_CUSTOM (stats_count must be 0)")
            }
            (self.mean, self.std) = Self.preset(normalization, channels: channels)
        }
    }

    /// The (mean, std) of a preset, per channel.
    private static func preset(_ normalization: Normalization, channels: Int) -> ([Float], [Float]) {
        let stats: ([Float], [Float])
        switch normalization {
        case .none, .custom: stats = ([0, 0, 0], [1.0 / 255, 1.0 / 255, 1.0 / 255])
        case .unit: stats = ([0, 0, 0], [1, 1, 1])
        case .imagenet:
            stats = channels == 1 ? ([0.449], [0.226]) : ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
        case .xrv: stats = ([0.5, 0.5, 0.5], [1.0 / 2048, 1.0 / 2048, 1.0 / 2048])
        }
        return (Array(stats.0.prefix(channels)), Array(stats.1.prefix(channels)))
    }

    /// Bytes of one example's output.
    public var bytesPerExample: Int {
        height * width * channels * (elementType == .uint8 ? 1 : MemoryLayout<Float>.size)
    }

    /// Bytes of `count` examples' output.
    /// - Throws: `.invalidArgument` if the size overflows.
    public func bytes(count: Int) throws(ChexpertError) -> Int {
        let (total, overflow) = bytesPerExample.multipliedReportingOverflow(by: count)
        guard !overflow else { throw ChexpertError(.invalidArgument, "\(count) examples of \(bytesPerExample) bytes overflow size_t") }
        return total
    }
}
