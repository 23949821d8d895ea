/// The one error type of ChexpertSample.
///
/// Contract: `message` is complete on its own (it names the path, argument or
/// TurboJPEG message at fault); `path` and `errno` repeat the parts of it that
/// a caller may want to test.
package struct SampleError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    package enum Kind: Sendable, Equatable {
        /// A `SampleSpec` field or encoder argument is out of its domain.
        case invalidArgument
        /// A file-system call failed (`errno` says why).
        case io
        /// TurboJPEG refused to create a compressor or to compress.
        case jpeg
    }

    package var kind: Kind
    package var message: String
    /// The file or directory at fault, if any.
    package var path: String?
    /// The `errno` of the failed system call, if any.
    package var errno: Int32?

    package init(_ kind: Kind, _ message: String, path: String? = nil, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.errno = errno
    }

    package var description: String { message }
}
