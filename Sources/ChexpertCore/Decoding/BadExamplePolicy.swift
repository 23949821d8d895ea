/// What a resized batch does with an example that cannot be read. Raw
/// values are the `chexpert_on_error` constants of `chexpert.h`.
public enum BadExamplePolicy: Int64, Sendable {
    /// The call fails with the first failing position's error (TFDS-like).
    case raise = 0
    /// The example becomes a zero image (source value 0, then normalised);
    /// the call succeeds and reports it.
    case substitute = 1

    /// Whether `error` is about the example's file (missing, unreadable,
    /// not decodable, over a limit), which substitution covers; argument and
    /// memory errors always fail the call.
    public static func isDataError(_ error: ChexpertError) -> Bool {
        switch error.code {
        case .notFound, .io, .image, .limit: true
        default: false
        }
    }
}

/// An example a batch substituted: its position in the batch and why.
public struct Substitution: Sendable {
    public let position: Int
    public let error: ChexpertError
}
