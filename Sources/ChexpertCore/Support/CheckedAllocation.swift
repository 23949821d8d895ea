import Glibc

extension UnsafeMutablePointer {
    /// `count` uninitialised elements from malloc, or nil when the size
    /// overflows or malloc fails (Swift's own allocation would trap). Free
    /// with `free`.
    static func allocateChecked(_ count: Int) -> UnsafeMutablePointer<Pointee>? {
        guard count >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Pointee>.stride)
        guard !overflow, let raw = malloc(Swift.max(bytes, 1)) else { return nil }
        return raw.bindMemory(to: Pointee.self, capacity: count)
    }
}
