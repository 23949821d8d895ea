/// A stable bottom-up merge sort over a buffer with a checked scratch buffer
/// of the same size (Swift's `sort` may allocate unchecked temporary
/// storage). O(n log n) comparisons.
enum StableSort {
    /// Sorts `buffer` in place so that `areInIncreasingOrder` holds between
    /// neighbours; equal elements keep their order.
    /// - Throws: `.noMemory` (the buffer is then unchanged).
    static func sort<T: BitwiseCopyable>(_ buffer: UnsafeMutableBufferPointer<T>, for what: @autoclosure () -> String,
                                         by areInIncreasingOrder: (T, T) -> Bool) throws(ChexpertError) {
        let n = buffer.count
        guard n > 1, let base = buffer.baseAddress else { return }
        let scratch = try UnsafeMutablePointer<T>.allocateChecked(n, for: what())
        defer { scratch.deallocateChecked() }
        var source = base, target = scratch
        var width = 1
        while width < n {
            var start = 0
            while start < n {
                let middle = Swift.min(start + width, n), end = Swift.min(start + 2 * width, n)
                var i = start, j = middle, k = start
                while i < middle, j < end {
                    // Take from the right run only when strictly smaller: stable.
                    if areInIncreasingOrder(source[j], source[i]) {
                        target[k] = source[j]; j += 1
                    } else {
                        target[k] = source[i]; i += 1
                    }
                    k += 1
                }
                while i < middle { target[k] = source[i]; i += 1; k += 1 }
                while j < end { target[k] = source[j]; j += 1; k += 1 }
                start = end
            }
            swap(&source, &target)
            width = width > n / 2 ? n : width * 2
        }
        if source != base { base.update(from: source, count: n) }
    }
}
