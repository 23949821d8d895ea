/// The handle registry's storage: one block of slots from the registry's
/// allocator (`CheckedAllocation`), never a Swift array, so running out of
/// memory is `.noMemory` rather than a trap. Not thread-safe: the registry
/// calls it under its lock, and allocates and frees the blocks outside it
/// (`adopt` only copies).
///
/// Slots `0..<used` are live or on the free list (a doubly linked list
/// threaded through the slots: a slot is reused LIFO, and free slots at the
/// top are unlinked in O(1) when `used` drops), so `used` follows the highest
/// live slot and the table can shrink after a burst of handles.
///
/// A token is `generation << 32 | (slot + 1)`. Generations come from one
/// counter (1...2^32 - 1, wrapping), so a removed handle's token never
/// matches a later object in its slot, even after the storage was shrunk or
/// freed.
struct SlotTable {
    struct Slot {
        /// Retained by the registry while the handle is live; nil when free.
        var object: Unmanaged<AnyObject>?
        var generation: UInt32
        var previousFree: Int32
        var nextFree: Int32
    }

    /// Fewest slots allocated while any handle is live.
    static let minimumCapacity = 16
    /// Most slots (a slot number fits the token's low 32 bits).
    static let maximumCapacity = Int(Int32.max)

    private(set) var slots: UnsafeMutablePointer<Slot>?
    private(set) var capacity = 0
    /// 1 + the highest live slot (0: none).
    private(set) var used = 0
    /// Live handles.
    private(set) var live = 0
    private var freeHead: Int32 = -1
    private var nextGeneration: UInt32 = 1

    /// The capacity to grow to when full (doubling), or nil at the maximum.
    var grownCapacity: Int? {
        guard capacity < Self.maximumCapacity else { return nil }
        return capacity > Self.maximumCapacity / 2 ? Self.maximumCapacity : Swift.max(Self.minimumCapacity, capacity * 2)
    }

    /// The capacity to shrink to, if the table should: 0 (storage freed) once
    /// nothing is live; otherwise, when at most a quarter is used, the
    /// smallest `minimumCapacity * 2^k` that is at least twice `used`,
    /// provided that halves the capacity at least. (Growth needs the live
    /// handles to double again: no allocation per call at a boundary.)
    var shrunkCapacity: Int? {
        if used == 0 { return capacity > 0 ? 0 : nil }
        guard capacity > Self.minimumCapacity, used <= capacity / 4 else { return nil }
        var target = Self.minimumCapacity
        while target < 2 * used { target *= 2 }
        return target <= capacity / 2 ? target : nil
    }

    /// Stores `object` (retained by the caller for the table) and returns its
    /// token, or nil when the table is full (grow with `adopt`, retry).
    mutating func insert(_ object: Unmanaged<AnyObject>) -> UInt? {
        guard let slots else { return nil }
        let slot: Int
        if freeHead >= 0 {
            slot = Int(freeHead)
            unlink(slot)
        } else if used < capacity {
            slot = used
            used += 1
        } else {
            return nil
        }
        let generation = nextGeneration
        nextGeneration = generation == UInt32.max ? 1 : generation + 1
        slots[slot] = Slot(object: object, generation: generation, previousFree: -1, nextFree: -1)
        live += 1
        return UInt(generation) << 32 | UInt(slot + 1)
    }

    /// The live slot `token` names, if any.
    func slot(of token: UInt) -> Int? {
        let low = Int(token & 0xFFFF_FFFF)
        guard low >= 1, low <= used, let slots else { return nil }
        let slot = low - 1
        guard slots[slot].object != nil, slots[slot].generation == UInt32(truncatingIfNeeded: token >> 32) else {
            return nil
        }
        return slot
    }

    /// The object in a live slot (from `slot(of:)`).
    func object(at slot: Int) -> Unmanaged<AnyObject>? { slots?[slot].object }

    /// Empties a live slot (from `slot(of:)`) and returns its object, still
    /// retained: the caller releases it (outside the lock).
    mutating func remove(at slot: Int) -> Unmanaged<AnyObject>? {
        guard let slots, let object = slots[slot].object else { return nil }
        slots[slot].object = nil
        live -= 1
        if slot == used - 1 {
            used -= 1
            while used > 0 && slots[used - 1].object == nil {  // free slots now at the top
                unlink(used - 1)
                used -= 1
            }
        } else {
            slots[slot].previousFree = -1
            slots[slot].nextFree = freeHead
            if freeHead >= 0 { slots[Int(freeHead)].previousFree = Int32(slot) }
            freeHead = Int32(slot)
        }
        return object
    }

    /// Moves the table into `block` of `newCapacity` slots (nil for 0) and
    /// returns the old block, for the caller to free. Copies only: no
    /// allocation. `newCapacity` must be at least `used`.
    mutating func adopt(_ block: UnsafeMutableRawPointer?, capacity newCapacity: Int) -> UnsafeMutableRawPointer? {
        precondition(newCapacity >= used && (block != nil || newCapacity == 0), "SlotTable.adopt: too small")
        let fresh = block?.bindMemory(to: Slot.self, capacity: newCapacity)
        if let fresh, let slots, used > 0 { fresh.initialize(from: slots, count: used) }
        let old = slots.map(UnsafeMutableRawPointer.init)
        slots = fresh
        capacity = newCapacity
        return old
    }

    private mutating func unlink(_ slot: Int) {
        guard let slots else { return }
        let previous = slots[slot].previousFree, next = slots[slot].nextFree
        if previous >= 0 { slots[Int(previous)].nextFree = next } else { freeHead = next }
        if next >= 0 { slots[Int(next)].previousFree = previous }
    }
}
