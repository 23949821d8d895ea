import CChexpertABI
import Glibc

/// CHEXPERT_VERSION_STRING of the header, copied once into C memory kept for
/// the life of the process.
nonisolated(unsafe) private let versionCString: UnsafeMutablePointer<CChar>? = strdup(CHEXPERT_VERSION_STRING)

@c @implementation
public func chexpert_version_number() -> Int32 {
    CHEXPERT_VERSION_NUMBER
}

@c @implementation
public func chexpert_version_string() -> UnsafePointer<CChar>? {
    UnsafePointer(versionCString)
}

@c @implementation
public func chexpert_abi_version() -> Int32 {
    CHEXPERT_ABI_VERSION
}
