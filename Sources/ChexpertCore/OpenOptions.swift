/// The options of `chexpert_dataset_open_with`: every `chexpert_option`,
/// including `CHEXPERT_OPTION_SELECT`, which only an open can set.
public struct OpenOptions: Sendable {
    /// `CHEXPERT_OPTION_SELECT`.
    public static let selectKey: Int64 = 4

    public var selection = Selection.all
    public var decode = DecodeOptions()

    public init() {}

    /// Parses {key, value} pairs; a key given twice takes its last value.
    /// - Throws: `.invalidArgument` for an odd count, an unknown key or a
    ///   value out of its domain, naming the pair.
    public init(params: UnsafeBufferPointer<Int64>) throws(ChexpertError) {
        guard params.count % 2 == 0 else {
            throw ChexpertError(.invalidArgument, "param_count = \(params.count) is odd; params holds {key, value} pairs")
        }
        for pair in stride(from: 0, to: params.count, by: 2) {
            let key = params[pair], value = params[pair + 1]
            if key == Self.selectKey {
                selection = try Selection(mask: value)
            } else if let option = Int32(exactly: key).flatMap(DecodeOption.init(rawValue:)) {
                try option.set(value, in: &decode)
            } else {
                throw ChexpertError(.invalidArgument, "params[\(pair)] = \(key) is not a chexpert_option key")
            }
        }
    }
}
