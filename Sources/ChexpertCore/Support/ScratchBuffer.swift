/// A growable buffer owned by one thread for the duration of one call (a
/// file's bytes, a decoded plane, a resampler's rows), allocated with
/// `CheckedAllocation`: a failed allocation is `.noMemory`, never a trap.
/// Growing never shrinks it, so a worker that reads many files allocates
/// only when a larger one comes.
final class ScratchBuffer {
    private(set) var raw: UnsafeMutableRawPointer?
    /// Bytes held.
    private(set) var capacity: Int = 0

    init() {}

    deinit { CheckedAllocation.free(raw) }

    /// The buffer as bytes (nil before the first `reserve`).
    var pointer: UnsafeMutablePointer<UInt8>? { raw?.assumingMemoryBound(to: UInt8.self) }

    /// Makes room for at least `count` bytes; contents are not preserved.
    /// - Throws: `.noMemory` (naming `what`) if the allocation fails.
    func reserve(_ count: Int, for what: @autoclosure () -> String = "a buffer", site: StaticString = #fileID,
                 line: UInt = #line) throws(ChexpertError) -> UnsafeMutablePointer<UInt8> {
        try reserveRaw(count, for: what(), site: site, line: line).bindMemory(to: UInt8.self, capacity: Swift.max(count, 1))
    }

    /// Makes room for `count` elements of `T` (contents not preserved) and
    /// binds the memory to `T`.
    /// - Throws: `.noMemory` on overflow or allocation failure.
    func reserve<T>(_ count: Int, of _: T.Type, for what: @autoclosure () -> String, site: StaticString = #fileID,
                    line: UInt = #line) throws(ChexpertError) -> UnsafeMutablePointer<T> {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, count >= 0 else {
            throw ChexpertError(.noMemory, "cannot allocate \(count) elements for \(what())")
        }
        return try reserveRaw(bytes, for: what(), site: site, line: line).bindMemory(to: T.self, capacity: Swift.max(count, 1))
    }

    private func reserveRaw(_ count: Int, for what: @autoclosure () -> String, site: StaticString,
                            line: UInt) throws(ChexpertError) -> UnsafeMutableRawPointer {
        if let raw, capacity >= count { return raw }
        CheckedAllocation.free(raw)
        raw = nil
        capacity = 0
        let fresh = try CheckedAllocation.allocateOrThrow(bytes: Swift.max(count, 1), for: what(), site: site, line: line)
        raw = fresh
        capacity = Swift.max(count, 1)
        return fresh
    }

    /// Frees the memory now (the next `reserve` allocates anew).
    func release() {
        CheckedAllocation.free(raw)
        raw = nil
        capacity = 0
    }

    /// Gives up the buffer: the caller owns the pointer (free it with
    /// `CheckedAllocation.free`); the next `reserve` allocates anew.
    func detach() -> UnsafeMutablePointer<UInt8>? {
        defer {
            raw = nil
            capacity = 0
        }
        return pointer
    }
}
