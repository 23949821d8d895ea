/// The one error type of ChexpertCore: a code that says what kind of failure
/// it is, and a message that names the file, CSV line and column, or argument
/// at fault. The C ABI maps `code` to a `chexpert_status` (one switch, in
/// ChexpertABI's `Status.swift`) and `message` to `chexpert_last_error()`;
/// the ABI layer throws it too, so there is one error type end to end.
package struct ChexpertError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Each case has one `chexpert_status`.
    package enum Code: Sendable, Hashable {
        /// An argument is outside its documented domain.
        case invalidArgument
        /// A required pointer or handle argument is NULL.
        case nullPointer
        /// A handle is closed, freed, or was never returned by the library.
        case closed
        /// An example or label index is out of range.
        case outOfRange
        /// A caller buffer is too small; `needed` is the size required.
        case bufferTooSmall(needed: Int)
        /// A root, CSV or image file does not exist.
        case notFound
        /// A file exists but cannot be read.
        case io
        /// A CSV file breaks the format.
        case csv
        /// Image data cannot be decoded.
        case image
        /// A documented limit was exceeded.
        case limit
        /// Memory could not be allocated.
        case noMemory
        /// A bug in the library.
        case `internal`
        /// A packed cache that cannot serve this dataset: not a cache,
        /// another format version, truncated, corrupt, or built from other
        /// sources (`CHEXPERT_E_STALE`).
        case stale
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
