/// How one sample JPEG is encoded.
package enum SampleColorEncoding: Sendable, Equatable, CaseIterable {
    /// One 8-bit grey component (TJSAMP_GRAY), like every real CheXpert image.
    case gray
    /// YCbCr with 4:2:0 chroma subsampling (TJSAMP_420).
    case ycbcr420
    /// YCbCr without chroma subsampling (TJSAMP_444).
    case ycbcr444

    /// The subsampling the encoder is asked for.
    package var subsampling: JPEGSubsampling {
        switch self {
        case .gray: .gray
        case .ycbcr420: .s420
        case .ycbcr444: .s444
        }
    }
}

/// Everything that determines one sample image's bytes: its size, encoding and
/// the seed of its content.
package struct SampleImage: Sendable, Equatable {
    /// Rows of the decoded image.
    package var height: Int
    /// Columns of the decoded image.
    package var width: Int
    /// JPEG quality, 1 ... 100.
    package var quality: Int
    /// Progressive (TJFLAG_PROGRESSIVE) rather than baseline.
    package var progressive: Bool
    package var encoding: SampleColorEncoding
    /// Chooses the anatomy drawn (frontal or lateral chest).
    package var view: SampleView
    /// The seed of the content (shapes, noise).
    package var seed: UInt64

    package init(
        height: Int, width: Int, quality: Int = 90, progressive: Bool = false,
        encoding: SampleColorEncoding = .gray, view: SampleView = .frontal, seed: UInt64 = 0
    ) {
        self.height = height
        self.width = width
        self.quality = quality
        self.progressive = progressive
        self.encoding = encoding
        self.view = view
        self.seed = seed
    }

    /// Components of the decoded JPEG: 1 for grey, 3 for colour.
    package var components: Int { encoding == .gray ? 1 : 3 }
}
