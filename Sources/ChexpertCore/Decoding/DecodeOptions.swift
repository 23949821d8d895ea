/// Per-handle decode settings, copied at the start of every call so a call
/// sees one consistent set even while another thread changes them.
public struct DecodeOptions: Sendable, Equatable {
    public static let defaultMaxPixels: Int64 = 100_000_000
    public static let defaultMaxFileBytes: Int64 = 1 << 28
    /// Upper bound of both limits: keeps `pixels * 3` and file sizes far from
    /// overflow and within what TurboJPEG's `int` sizes take.
    public static let limitCeiling: Int64 = 1 << 31

    public var dct: DCTMethod = .fast
    /// Images with more pixels (width * height) are refused before allocation.
    public var maxPixels: Int64 = defaultMaxPixels
    /// Image files larger than this are refused before reading.
    public var maxFileBytes: Int64 = defaultMaxFileBytes
    /// What resized batches do with examples that cannot be read.
    public var onError: BadExamplePolicy = .raise

    public init() {}
}
