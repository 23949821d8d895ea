/// Numbers distinct (Int64, Int64) keys 0, 1, ... in order of first
/// appearance: an open-addressing table sized once for `capacity` keys
/// (checked allocations, 20 bytes per slot, fewer than 4 slots per key),
/// hashed with Swift's per-process seeded `Hasher` (crafted keys cannot make
/// it quadratic); the ordinals do not depend on the hash. Free with
/// `deallocate()`.
struct KeyOrdinals {
    private let first: UnsafeMutablePointer<Int64>
    private let second: UnsafeMutablePointer<Int64>
    private let numbers: UnsafeMutablePointer<Int32>
    private let mask: Int
    /// Keys numbered so far (and fresh ordinals handed out by `fresh()`).
    private(set) var count: Int32 = 0

    /// - Parameter capacity: the most keys that will be looked up.
    /// - Throws: `.noMemory`.
    init(capacity: Int, for what: String) throws(ChexpertError) {
        var slots = 16
        while slots < 2 * capacity, slots < Int.max / 4 { slots *= 2 }     // load factor <= 1/2
        first = try UnsafeMutablePointer<Int64>.allocateChecked(slots, for: what)
        guard let second = UnsafeMutablePointer<Int64>.allocateChecked(slots) else {
            first.deallocateChecked()
            throw ChexpertError(.noMemory, "cannot allocate \(slots) slots for \(what)")
        }
        guard let numbers = UnsafeMutablePointer<Int32>.allocateChecked(slots) else {
            first.deallocateChecked()
            second.deallocateChecked()
            throw ChexpertError(.noMemory, "cannot allocate \(slots) slots for \(what)")
        }
        self.second = second
        self.numbers = numbers
        numbers.initialize(repeating: -1, count: slots)
        mask = slots - 1
    }

    func deallocate() {
        first.deallocateChecked()
        second.deallocateChecked()
        numbers.deallocateChecked()
    }

    /// The ordinal of key (a, b): its existing one, or the next.
    mutating func ordinal(_ a: Int64, _ b: Int64) -> Int32 {
        var hasher = Hasher()
        hasher.combine(a)
        hasher.combine(b)
        var slot = hasher.finalize() & mask
        while numbers[slot] >= 0 {
            if first[slot] == a, second[slot] == b { return numbers[slot] }
            slot = (slot + 1) & mask
        }
        first[slot] = a
        second[slot] = b
        numbers[slot] = count
        count += 1
        return numbers[slot]
    }

    /// A new ordinal that no key has (an entity without a key).
    mutating func fresh() -> Int32 {
        count += 1
        return count - 1
    }
}
