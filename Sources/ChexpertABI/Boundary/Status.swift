import CChexpertABI
import ChexpertCore

extension ChexpertError {
    /// The `chexpert_status` a C call returns for this error: the one place
    /// where error codes meet the header's status constants.
    var status: chexpert_status {
        switch code {
        case .invalidArgument: CHEXPERT_E_INVALID_ARGUMENT
        case .nullPointer: CHEXPERT_E_NULL_POINTER
        case .outOfRange: CHEXPERT_E_OUT_OF_RANGE
        case .bufferTooSmall: CHEXPERT_E_BUFFER_TOO_SMALL
        case .closed: CHEXPERT_E_CLOSED
        case .notFound: CHEXPERT_E_NOT_FOUND
        case .io: CHEXPERT_E_IO
        case .csv: CHEXPERT_E_CSV
        case .image: CHEXPERT_E_IMAGE
        case .limit: CHEXPERT_E_LIMIT
        case .noMemory: CHEXPERT_E_NO_MEMORY
        case .internal: CHEXPERT_E_INTERNAL
        case .stale: CHEXPERT_E_STALE
        }
    }

    /// `CHEXPERT_E_NULL_POINTER` naming the argument.
    static func null(_ argument: StaticString) -> ChexpertError {
        ChexpertError(.nullPointer, "\(argument) is NULL")
    }
}
