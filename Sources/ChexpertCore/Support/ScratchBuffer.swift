import Glibc

/// A growable byte buffer owned by one thread for the duration of one call
/// (a file's bytes, a decoded grey plane). Growing never shrinks it, so a
/// worker that reads many files allocates only when a larger file comes.
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<UInt8>?
    private(set) var capacity: Int = 0

    init() {}

    deinit { free(pointer) }

    /// Makes room for at least `count` bytes; contents are not preserved.
    /// - Throws: `.noMemory` if the allocation fails.
    func reserve(_ count: Int) throws(ChexpertError) -> UnsafeMutablePointer<UInt8> {
        if let pointer, capacity >= count { return pointer }
        free(pointer)
        pointer = nil
        capacity = 0
        guard let raw = malloc(Swift.max(count, 1)) else {
            throw ChexpertError(.noMemory, "cannot allocate \(count) bytes")
        }
        let typed = raw.bindMemory(to: UInt8.self, capacity: Swift.max(count, 1))
        pointer = typed
        capacity = Swift.max(count, 1)
        return typed
    }

    /// Gives up the buffer: the caller owns (and frees) the pointer; the
    /// next `reserve` allocates anew.
    func detach() -> UnsafeMutablePointer<UInt8>? {
        defer {
            pointer = nil
            capacity = 0
        }
        return pointer
    }
}
