/// What a resized batch does with an example that cannot be read. The C
/// API's `chexpert_on_error` constants map to it in ChexpertABI.
package enum BadExamplePolicy: Sendable, CaseIterable {
    /// The call fails with the first failing position's error (TFDS-like).
    case raise
    /// The example becomes a zero image (source value 0, then normalised);
    /// the call succeeds and reports the example's error per position.
    case substitute

    /// Whether `error` is about the example's file (missing, unreadable,
    /// not decodable, over a limit), which substitution covers; argument and
    /// memory errors always fail the call.
    package static func isDataError(_ error: ChexpertError) -> Bool {
        switch error.code {
        case .notFound, .io, .image, .limit: true
        default: false
        }
    }
}
