import Glibc

/// An example's file read into memory and its JPEG header's shape, held
/// between the two phases of `Dataset.batchImages` (each file read once).
struct LoadedImage {
    /// The file's bytes (malloc'd), or nil for an empty file.
    var bytes: UnsafeMutablePointer<UInt8>?
    var count: Int
    var shape: ImageShape
    /// The file's path, for messages.
    var file: String

    /// Frees the bytes.
    mutating func release() {
        free(bytes)
        bytes = nil
        count = 0
    }
}
