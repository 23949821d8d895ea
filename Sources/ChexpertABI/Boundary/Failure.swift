import CChexpertABI
import ChexpertCore

/// A failed C call: the `chexpert_status` to return and the message for
/// `chexpert_last_error()`.
struct Failure: Error {
    var status: chexpert_status
    var message: String

    init(_ status: chexpert_status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The status and message of a core error.
    init(_ error: ChexpertError) {
        self.message = error.message
        switch error.code {
        case .invalidArgument: status = CHEXPERT_E_INVALID_ARGUMENT
        case .outOfRange: status = CHEXPERT_E_OUT_OF_RANGE
        case .bufferTooSmall: status = CHEXPERT_E_BUFFER_TOO_SMALL
        case .notFound: status = CHEXPERT_E_NOT_FOUND
        case .io: status = CHEXPERT_E_IO
        case .csv: status = CHEXPERT_E_CSV
        case .image: status = CHEXPERT_E_IMAGE
        case .limit: status = CHEXPERT_E_LIMIT
        case .noMemory: status = CHEXPERT_E_NO_MEMORY
        case .internal: status = CHEXPERT_E_INTERNAL
        }
    }

    static func null(_ argument: StaticString) -> Failure {
        Failure(CHEXPERT_E_NULL_POINTER, "\(argument) is NULL")
    }
}
