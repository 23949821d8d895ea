/// A growable array of plain values whose memory comes from
/// `CheckedAllocation`: growth that cannot be allocated throws `.noMemory`
/// instead of trapping as a Swift array would. The split tables are built
/// from these (their sizes follow the CSV's), then never change, so a built
/// array is shared by all threads without locks.
final class CheckedArray<Element: BitwiseCopyable>: @unchecked Sendable, RandomAccessCollection {
    private(set) var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private(set) var capacity = 0
    /// What the array holds, for `.noMemory` messages.
    private let what: String

    /// - Parameter capacity: elements allocated now (0: none until the first append).
    /// - Throws: `.noMemory`.
    init(capacity: Int = 0, for what: String) throws(ChexpertError) {
        self.what = what
        if capacity > 0 { try grow(to: capacity) }
    }

    deinit { CheckedAllocation.free(base.map(UnsafeMutableRawPointer.init)) }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// - Precondition: `0 <= i < count` (checked: a bug traps, as for Array).
    subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "CheckedArray index out of range")
        return base.unsafelyUnwrapped[i]
    }

    /// The elements as a buffer (valid while the array lives).
    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Bytes allocated.
    var allocatedBytes: Int { capacity * MemoryLayout<Element>.stride }

    private func grow(to newCapacity: Int) throws(ChexpertError) {
        let (bytes, overflow) = newCapacity.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !overflow, let raw = CheckedAllocation.reallocate(base.map(UnsafeMutableRawPointer.init), bytes: bytes) else {
            throw ChexpertError(.noMemory, "cannot allocate \(newCapacity) elements of \(MemoryLayout<Element>.stride) bytes for \(what)")
        }
        base = raw.bindMemory(to: Element.self, capacity: newCapacity)
        capacity = newCapacity
    }

    /// Room for `extra` more elements (capacity at least doubles, so appends
    /// are amortised O(1)).
    /// - Throws: `.noMemory`.
    func reserve(_ extra: Int) throws(ChexpertError) {
        let (needed, overflow) = count.addingReportingOverflow(extra)
        guard !overflow else { throw ChexpertError(.noMemory, "too many elements for \(what)") }
        if needed <= capacity { return }
        let doubled = capacity > Int.max / 2 ? Int.max : capacity * 2
        try grow(to: Swift.max(needed, doubled, 16))
    }

    /// - Throws: `.noMemory` (the array is unchanged).
    @inline(__always)
    func append(_ element: Element) throws(ChexpertError) {
        if count == capacity { try reserve(1) }
        base.unsafelyUnwrapped[count] = element
        count += 1
    }

    /// - Throws: `.noMemory` (the array is unchanged).
    func append<C: Collection>(contentsOf elements: C) throws(ChexpertError) where C.Element == Element {
        try reserve(elements.count)
        var i = count
        for element in elements {
            base.unsafelyUnwrapped[i] = element
            i += 1
        }
        count = i
    }

    /// Gives back unused capacity (the table's memory is then what it holds).
    /// Keeps the larger block if the smaller one cannot be had.
    func shrinkToFit() {
        guard capacity > count, count > 0 else { return }
        let bytes = count * MemoryLayout<Element>.stride
        if let raw = CheckedAllocation.reallocate(base.map(UnsafeMutableRawPointer.init), bytes: bytes) {
            base = raw.bindMemory(to: Element.self, capacity: count)
            capacity = count
        }
    }
}

/// A run of bytes in a split table (a name, a label vector): a collection
/// indexed from 0 that keeps its table's storage alive.
package struct TableBytes: RandomAccessCollection, Sendable {
    let storage: CheckedArray<UInt8>
    let start: Int
    package let count: Int

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }

    /// - Precondition: `0 <= i < count`.
    package subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < count, "TableBytes index out of range")
        return storage.base.unsafelyUnwrapped[start + i]
    }

    /// Calls `body` with the bytes as a buffer (valid only inside `body`).
    package func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.base.map { $0 + start }, count: count))
        }
    }
}
