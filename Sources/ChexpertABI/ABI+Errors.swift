import CChexpertABI

@c @implementation
public func chexpert_status_name(_ status: CInt) -> UnsafePointer<CChar>? {
    let name: StaticString = switch chexpert_status(rawValue: status) {
    case CHEXPERT_OK: "CHEXPERT_OK"
    case CHEXPERT_E_INVALID_ARGUMENT: "CHEXPERT_E_INVALID_ARGUMENT"
    case CHEXPERT_E_NULL_POINTER: "CHEXPERT_E_NULL_POINTER"
    case CHEXPERT_E_OUT_OF_RANGE: "CHEXPERT_E_OUT_OF_RANGE"
    case CHEXPERT_E_BUFFER_TOO_SMALL: "CHEXPERT_E_BUFFER_TOO_SMALL"
    case CHEXPERT_E_CLOSED: "CHEXPERT_E_CLOSED"
    case CHEXPERT_E_NOT_FOUND: "CHEXPERT_E_NOT_FOUND"
    case CHEXPERT_E_IO: "CHEXPERT_E_IO"
    case CHEXPERT_E_CSV: "CHEXPERT_E_CSV"
    case CHEXPERT_E_IMAGE: "CHEXPERT_E_IMAGE"
    case CHEXPERT_E_LIMIT: "CHEXPERT_E_LIMIT"
    case CHEXPERT_E_NO_MEMORY: "CHEXPERT_E_NO_MEMORY"
    case CHEXPERT_E_INTERNAL: "CHEXPERT_E_INTERNAL"
    case CHEXPERT_E_STALE: "CHEXPERT_E_STALE"
    default: "CHEXPERT_E_UNKNOWN"
    }
    return StaticCString.pointer(name)
}

@c @implementation
public func chexpert_last_error() -> UnsafePointer<CChar>? {
    LastError.current
}
