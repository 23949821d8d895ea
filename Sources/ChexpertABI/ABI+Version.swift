import CChexpertABI
import Glibc

/// "MAJOR.MINOR.PATCH" from the header's macros, allocated once and kept for
/// the life of the process.
nonisolated(unsafe) private let versionCString: UnsafeMutablePointer<CChar>? =
    strdup("\(CHEXPERT_VERSION_MAJOR).\(CHEXPERT_VERSION_MINOR).\(CHEXPERT_VERSION_PATCH)")

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
