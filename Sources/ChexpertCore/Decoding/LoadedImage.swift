/// An example's file read into memory and its JPEG header's shape, held
/// between the two phases of `Dataset.batchImages` (each file read once).
/// Holds no Swift heap object, so a batch's table of them is one checked
/// allocation (the file's name for messages is rebuilt from `row`).
struct LoadedImage {
    /// The file's bytes (from `CheckedAllocation`), or nil for an empty file.
    var bytes: UnsafeMutablePointer<UInt8>?
    var count: Int
    var shape: ImageShape

    /// Frees the bytes.
    mutating func release() {
        CheckedAllocation.free(bytes.map { UnsafeMutableRawPointer($0) })
        bytes = nil
        count = 0
    }
}
