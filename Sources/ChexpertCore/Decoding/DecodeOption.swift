/// The keys of `DecodeOptions`, as set through the C API. Raw values are the
/// `chexpert_option` constants of `chexpert.h`.
public enum DecodeOption: Int32, CaseIterable, Sendable {
    case dct = 1
    case maxPixels = 2
    case maxFileBytes = 3
    case onError = 5

    /// The option's current value in `options`.
    public func value(in options: DecodeOptions) -> Int64 {
        switch self {
        case .dct: options.dct.rawValue
        case .maxPixels: options.maxPixels
        case .maxFileBytes: options.maxFileBytes
        case .onError: options.onError.rawValue
        }
    }

    /// Sets the option in `options`.
    /// - Throws: `.invalidArgument` naming the option and its domain.
    public func set(_ value: Int64, in options: inout DecodeOptions) throws(ChexpertError) {
        switch self {
        case .dct:
            guard let method = DCTMethod(rawValue: value) else {
                throw ChexpertError(.invalidArgument, "CHEXPERT_OPTION_DCT value \(value) is neither CHEXPERT_DCT_FAST (0) nor CHEXPERT_DCT_ACCURATE (1)")
            }
            options.dct = method
        case .onError:
            guard let policy = BadExamplePolicy(rawValue: value) else {
                throw ChexpertError(.invalidArgument, "CHEXPERT_OPTION_ON_ERROR value \(value) is neither CHEXPERT_ON_ERROR_RAISE (0) nor CHEXPERT_ON_ERROR_SUBSTITUTE (1)")
            }
            options.onError = policy
        case .maxPixels, .maxFileBytes:
            guard value >= 1, value <= DecodeOptions.limitCeiling else {
                throw ChexpertError(.invalidArgument, "\(self == .maxPixels ? "CHEXPERT_OPTION_MAX_PIXELS" : "CHEXPERT_OPTION_MAX_FILE_BYTES") value \(value) is outside 1 ... \(DecodeOptions.limitCeiling)")
            }
            if self == .maxPixels { options.maxPixels = value } else { options.maxFileBytes = value }
        }
    }
}
