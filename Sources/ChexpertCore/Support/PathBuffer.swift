/// A NUL-terminated path built piece by piece in checked memory and reused
/// across examples (`DatasetLayout.imagePath`): it grows to the longest path
/// met, and growth that cannot be allocated is `.noMemory`, never a trap (a
/// CSV `Path` cell may be up to CHEXPERT_MAX_CSV_LINE_BYTES long).
package final class PathBuffer {
    private var base: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// Bytes before the NUL.
    private(set) var count = 0

    package init() {}

    deinit { base?.deallocateChecked() }

    /// Empties the path (the memory is kept).
    func removeAll() {
        count = 0
        base?[0] = 0
    }

    /// Appends `bytes`, keeping a NUL after them.
    /// - Throws: `.noMemory` (the path then holds what it held).
    func append<C: Collection>(_ bytes: C) throws(ChexpertError) where C.Element == UInt8 {
        let (length, overflow) = count.addingReportingOverflow(bytes.count)
        guard !overflow, length < Int.max else { throw ChexpertError(.noMemory, "cannot allocate an image path of more than \(Int.max) bytes") }
        if length + 1 > capacity {
            let doubled = capacity > Int.max / 2 ? Int.max : capacity * 2
            let grown = Swift.max(length + 1, doubled, 256)
            guard let raw = CheckedAllocation.reallocate(base.map(UnsafeMutableRawPointer.init), bytes: grown) else {
                throw ChexpertError(.noMemory, "cannot allocate \(grown) bytes for an image path")
            }
            base = raw.bindMemory(to: CChar.self, capacity: grown)
            capacity = grown
        }
        guard let base else { throw ChexpertError(.internal, "an image path buffer without memory") }
        var at = count
        for byte in bytes {
            base[at] = CChar(bitPattern: byte)
            at += 1
        }
        base[at] = 0
        count = at
    }

    /// Calls `body` with the path, NUL-terminated ("" before the first append).
    func withCString<R, E: Error>(_ body: (UnsafePointer<CChar>) throws(E) -> R) throws(E) -> R {
        guard let base else {
            var empty: CChar = 0
            return try body(&empty)
        }
        return try body(base)
    }

    /// The path's bytes (no NUL; valid while the buffer lives and is not
    /// appended to).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count) }
}
