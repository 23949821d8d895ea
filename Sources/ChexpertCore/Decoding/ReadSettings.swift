/// A dataset handle's reading settings (the dataset options of the C API),
/// copied at the start of every call so a call sees one consistent set even
/// while another thread changes them.
package struct ReadSettings: Sendable, Equatable {
    /// Default of `maxPixels` (`CHEXPERT_DEFAULT_MAX_PIXELS`).
    package static let defaultMaxPixels: Int64 = 100_000_000
    /// Default of `maxFileBytes` (`CHEXPERT_DEFAULT_MAX_FILE_BYTES`).
    package static let defaultMaxFileBytes: Int64 = 1 << 28
    /// Upper bound of both limits (`CHEXPERT_MAX_LIMIT`): keeps `pixels * 3`
    /// and file sizes far from overflow and within TurboJPEG's `int` sizes.
    package static let limitCeiling: Int64 = 1 << 31

    /// The inverse-DCT method of decodes.
    package var dct: DCTMethod = .fast
    /// Images with more pixels (width * height) are refused before allocation;
    /// 1 ... `limitCeiling`.
    package var maxPixels: Int64 = defaultMaxPixels
    /// Image files larger than this are refused before reading; 1 ...
    /// `limitCeiling`.
    package var maxFileBytes: Int64 = defaultMaxFileBytes
    /// What resized batches do with examples that cannot be read.
    package var onError: BadExamplePolicy = .raise
    /// The packed cache attached to the handle (`chexpert_dataset_attach_cache`).
    package var cache: PackedCache?
    /// The cached planes a resized batch reads instead of JPEGs (set per
    /// call by `servingPlanes(of:)`; `ExampleDecoder.load` serves them).
    package var planes: CachedPlanes?

    package init() {}
}
