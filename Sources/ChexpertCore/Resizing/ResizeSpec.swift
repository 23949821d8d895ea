/// What a resized batch looks like: output size, channels, layout, element
/// type, geometry, filter and intensity mapping. Built once per call (by
/// ChexpertABI from a `chexpert_params`; the C constants map to the nested
/// enums there) and validated by `init`.
package struct ResizeSpec: Sendable, Equatable {
    /// Memory order of a resized batch.
    package enum Layout: Sendable, CaseIterable { case nhwc, nchw }
    /// Element type of a resized batch.
    package enum ElementType: Sendable, CaseIterable { case uint8, float32 }
    /// How the source's aspect ratio meets the output's (see `FitGeometry`).
    package enum Fit: Sendable, CaseIterable { case cover, contain, stretch }
    /// Intensity mapping of float output: (v / 255 - mean) / std.
    package enum Normalization: Sendable, CaseIterable { case none, unit, imagenet, xrv, custom }
    /// Resampling arithmetic (`CHEXPERT_KEY_RESAMPLE`): float32 SIMD, or
    /// Pillow's double precision exactly (`Resampler`).
    package enum Resample: Sendable, CaseIterable { case fast, exact }
    /// JPEG decode size (`CHEXPERT_KEY_DECODE_SCALE`): full, or the smallest
    /// TurboJPEG scaling factor that still covers the output (`DecodeScaling`).
    package enum DecodeScale: Sendable, CaseIterable { case full, auto }

    /// Largest `height` and `width` (`CHEXPERT_MAX_SIDE`).
    package static let maxSide = 65_535

    package let height: Int
    package let width: Int
    package let channels: Int
    package let layout: Layout
    package let elementType: ElementType
    package let fit: Fit
    package let filter: ResampleFilter
    package let normalization: Normalization
    /// nil: the dataset's DCT setting.
    package let dct: DCTMethod?
    /// nil: the dataset's on-error setting.
    package let onError: BadExamplePolicy?
    package let resample: Resample
    package let decodeScale: DecodeScale
    /// Per output channel: out = (v / 255 - mean) / std.
    package let mean: [Float]
    package let std: [Float]
    /// Per output channel: out = v * scale + offset, i.e. scale = 1 / (255 *
    /// std) and offset = -mean / std, computed in Float; (1, 0) for `.none`.
    package let scale: [Float]
    package let offset: [Float]
    /// Native augmentation (`CHEXPERT_KEY_AUGMENT`, `AugmentWarp`); nil
    /// (NONE, the default) leaves the resize untouched.
    package var augment: AugmentParams?

    /// Validates a spec.
    /// - Parameters:
    ///   - height, width: 1 ... `maxSide`.
    ///   - channels: 1 or 3.
    ///   - statistics: `.custom`'s per-channel (mean, std), `channels` values
    ///     each; ignored with the other normalisations. nil with `.custom`
    ///     only when `checkingStatistics` is false (sizing only).
    ///   - resample, decodeScale: `CHEXPERT_KEY_RESAMPLE`, `_DECODE_SCALE`.
    ///   - checkingStatistics: false for a spec that only sizes a batch
    ///     (`chexpert_resize_output_bytes`): `.custom` statistics are then
    ///     not required (placeholders are used).
    /// - Throws: `.invalidArgument` naming the key at fault: a size or
    ///   channel count out of range, uint8 with a normalisation, `.custom`
    ///   statistics missing or of the wrong length, statistics that do not
    ///   give finite outputs (1 / (255 * std) or -mean / std not finite).
    package init(height: Int, width: Int, channels: Int = 3, layout: Layout = .nhwc,
                 elementType: ElementType = .uint8, fit: Fit = .cover, filter: ResampleFilter = .area,
                 normalization: Normalization = .none, statistics: (mean: [Float], std: [Float])? = nil,
                 dct: DCTMethod? = nil, onError: BadExamplePolicy? = nil,
                 resample: Resample = .fast, decodeScale: DecodeScale = .full,
                 checkingStatistics: Bool = true) throws(ChexpertError) {
        func invalid(_ message: String) -> ChexpertError { ChexpertError(.invalidArgument, message) }
        guard height >= 1, height <= Self.maxSide else {
            throw invalid("CHEXPERT_KEY_HEIGHT = \(height) is outside 1 ... \(Self.maxSide)")
        }
        guard width >= 1, width <= Self.maxSide else {
            throw invalid("CHEXPERT_KEY_WIDTH = \(width) is outside 1 ... \(Self.maxSide)")
        }
        guard channels == 1 || channels == 3 else { throw invalid("CHEXPERT_KEY_CHANNELS = \(channels); expected 1 or 3") }
        if elementType == .uint8, normalization != .none {
            throw invalid("CHEXPERT_DTYPE_UINT8 takes only CHEXPERT_NORMALIZE_NONE; use CHEXPERT_DTYPE_FLOAT32 to normalise")
        }
        let stats: ([Float], [Float])
        if normalization == .custom {
            if let statistics {
                guard statistics.mean.count == channels, statistics.std.count == channels else {
                    throw invalid("CHEXPERT_NORMALIZE_CUSTOM needs CHEXPERT_KEY_MEAN and CHEXPERT_KEY_STD with \(channels) values each (CHEXPERT_KEY_CHANNELS); got \(statistics.mean.count) and \(statistics.std.count)")
                }
                stats = statistics
            } else if checkingStatistics {
                throw invalid("CHEXPERT_NORMALIZE_CUSTOM needs CHEXPERT_KEY_MEAN and CHEXPERT_KEY_STD (\(channels) values each)")
            } else {
                stats = (Array(repeating: 0, count: channels), Array(repeating: 1, count: channels))
            }
        } else {
            stats = Self.preset(normalization, channels: channels)
        }
        var scale: [Float] = [], offset: [Float] = []
        for c in 0 ..< channels {
            let mean = stats.0[c], std = stats.1[c]
            if normalization == .none {
                scale.append(1)
                offset.append(0)
                continue
            }
            let a: Float = 1 / (255 * std), b: Float = -mean / std
            // Outputs are v * a + b for v in 0 ... 255 (the filters have no
            // negative lobes), so finite ends mean every output is finite.
            let top: Float = 255 * a + b
            guard a.isFinite, b.isFinite, top.isFinite else {
                throw invalid("CHEXPERT_KEY_MEAN[\(c)] = \(mean) and CHEXPERT_KEY_STD[\(c)] = \(std) do not give finite outputs (1 / (255 * std) = \(a), -mean / std = \(b), the output for 255 = \(top))")
            }
            scale.append(a)
            offset.append(b)
        }
        self.height = height
        self.width = width
        self.channels = channels
        self.layout = layout
        self.elementType = elementType
        self.fit = fit
        self.filter = filter
        self.normalization = normalization
        self.dct = dct
        self.onError = onError
        self.resample = resample
        self.decodeScale = decodeScale
        self.mean = stats.0
        self.std = stats.1
        self.scale = scale
        self.offset = offset
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

    /// Bytes of one example's output. Cannot overflow: sides are at most
    /// `maxSide`, channels 3, elements 4 bytes.
    package var bytesPerExample: Int {
        height * width * channels * (elementType == .uint8 ? 1 : MemoryLayout<Float>.size)
    }

    /// Bytes of `count` examples' output. C: `chexpert_resize_output_bytes`.
    /// - Throws: `.invalidArgument` if the size overflows.
    package func bytes(count: Int) throws(ChexpertError) -> Int {
        let (total, overflow) = bytesPerExample.multipliedReportingOverflow(by: count)
        guard !overflow, total <= Int.max else {
            throw ChexpertError(.invalidArgument, "\(count) examples of \(bytesPerExample) bytes overflow size_t")
        }
        return total
    }
}
