import Glibc

/// One directory read with `opendir`/`readdir` (no `stat` per entry): what
/// release detection, the AIMI patient index and the test split's study
/// folders use.
///
/// Memory: a listing kept in full (`names(in:)`) is checked allocation (the
/// names' bytes, 4 bytes of offset and 4 of sort order per entry, and a sort
/// scratch of 4 bytes per entry while sorting): allocation failure is
/// `.noMemory` naming the folder, never a trap. Only folders that are small in
/// every release are listed in full (the download's top folder, a batch's
/// nested folders, a test study's folder); the patient index streams its
/// entries (`forEach`) and keeps none of the names.
package enum DirectoryListing {
    /// Most entries a listing keeps (`names(in:)`): 4,194,304 (2^22); one
    /// more is `.limit` naming the folder and the bound
    /// (docs/memory-and-threads.md, "Bounds"). At 255-byte names that is
    /// about 1.1 GiB.
    package static let maxNames = 1 << 22
    /// Longest entry name kept: NAME_MAX (255 bytes; `d_name` holds at most
    /// 255 bytes and a NUL, so only a malformed entry without its NUL is
    /// longer: `.limit`).
    package static let maxNameBytes = 255

    /// Calls `body` with each entry's name (bytes, no NUL; `.` and `..`
    /// skipped), in the order `readdir` gives them, until it returns true.
    /// - Returns: false when the folder cannot be opened (missing, not a
    ///   folder, no permission).
    /// - Throws: whatever `body` throws.
    @discardableResult
    static func forEach(in folder: [UInt8],
                        _ body: (UnsafeBufferPointer<UInt8>) throws(ChexpertError) -> Bool) throws(ChexpertError) -> Bool {
        let directory = DatasetLayout.withCPath(folder) { opendir($0) }
        guard let directory else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let stop: Bool = try withUnsafeBytes(of: &entry.pointee.d_name) { (raw) throws(ChexpertError) -> Bool in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                let name = UnsafeBufferPointer(rebasing: bytes[0 ..< length])
                if length == 1 && name[0] == UInt8(ascii: ".") { return false }
                if length == 2 && name[0] == UInt8(ascii: ".") && name[1] == UInt8(ascii: ".") { return false }
                return try body(name)
            }
            if stop { break }
        }
        return true
    }

    /// The entry names of `folder`, sorted bytewise, or nil when it cannot
    /// be opened.
    /// - Parameter maxNames: the entry bound (tests lower it; at most
    ///   `DirectoryListing.maxNames`).
    /// - Throws: `.limit` past `maxNames` entries or for a name longer than
    ///   `maxNameBytes`; `.noMemory` naming the folder.
    package static func names(in folder: [UInt8], maxNames: Int = DirectoryListing.maxNames) throws(ChexpertError) -> DirectoryNames? {
        let bound = Swift.min(Swift.max(maxNames, 0), Self.maxNames)
        let shown = DatasetLayout.display(folder)
        let what = "the entry names of \(shown)"
        let bytes = try CheckedArray<UInt8>(for: what)
        let ends = try CheckedArray<UInt32>(for: what)
        let opened = try forEach(in: folder) { (name) throws(ChexpertError) in
            guard ends.count < bound else {
                throw ChexpertError(.limit, "\(shown): more than \(bound) entries, the most a folder listing holds (docs/memory-and-threads.md)")
            }
            guard name.count <= maxNameBytes else {
                throw ChexpertError(.limit, "\(shown): an entry name of \(name.count) bytes exceeds NAME_MAX (\(maxNameBytes))")
            }
            try bytes.append(contentsOf: name)
            try ends.append(UInt32(truncatingIfNeeded: bytes.count))  // <= 2^22 * 255 < 2^32
            return false
        }
        guard opened else { return nil }
        return try DirectoryNames(bytes: bytes, ends: ends, what: what)
    }

    /// What `folder` holds, for a message: its first `limit` names in
    /// bytewise order (kept in a fixed-size list while streaming the entries:
    /// no memory that grows with the folder), then how many more; nil when it
    /// cannot be opened. `/` after folders is not known without a stat, so
    /// none.
    static func summary(of folder: [UInt8], limit: Int = 24) -> String? {
        var first: [[UInt8]] = []
        first.reserveCapacity(limit + 1)
        var total = 0
        let opened = (try? forEach(in: folder) { (name) throws(ChexpertError) in
            total += 1
            guard limit > 0, first.count < limit || name.lexicographicallyPrecedes(first[first.count - 1]) else { return false }
            let at = first.firstIndex { name.lexicographicallyPrecedes($0) } ?? first.count
            first.insert(Array(name), at: at)
            if first.count > limit { first.removeLast() }
            return false
        }) ?? false
        guard opened else { return nil }
        if total == 0 { return "nothing" }
        var text = first.map { "'" + DatasetLayout.display($0) + "'" }.joined(separator: ", ")
        if total > first.count { text += " and \(total - first.count) more" }
        return text
    }
}

/// The entry names of one folder, sorted bytewise (`DirectoryListing.names`),
/// in checked memory. Each name is a `TableBytes` that keeps the listing
/// alive.
package final class DirectoryNames: RandomAccessCollection {
    private let bytes: CheckedArray<UInt8>
    /// Entry i's name ends at `ends[i]` (and starts at `ends[i - 1]`, or 0).
    private let ends: CheckedArray<UInt32>
    /// Entry numbers in sorted order.
    private let order: CheckedArray<UInt32>

    /// - Throws: `.noMemory` naming `what`.
    fileprivate init(bytes: CheckedArray<UInt8>, ends: CheckedArray<UInt32>, what: String) throws(ChexpertError) {
        let count = ends.count
        let order = try CheckedArray<UInt32>(capacity: count, for: what)
        for i in 0 ..< count { try order.append(UInt32(truncatingIfNeeded: i)) }  // count <= 2^22
        let names = bytes.buffer, offsets = ends.buffer
        func name(_ entry: UInt32) -> UnsafeBufferPointer<UInt8> {
            let i = Int(entry)
            let start = i == 0 ? 0 : Int(offsets[i - 1])
            return UnsafeBufferPointer(rebasing: names[start ..< Int(offsets[i])])
        }
        try StableSort.sort(UnsafeMutableBufferPointer(start: order.base, count: count), for: what) { a, b in
            name(a).lexicographicallyPrecedes(name(b))
        }
        self.bytes = bytes
        self.ends = ends
        self.order = order
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { order.count }

    /// - Precondition: `0 <= i < count`.
    package subscript(i: Int) -> TableBytes {
        let entry = Int(order[i])
        let start = entry == 0 ? 0 : Int(ends[entry - 1])
        return TableBytes(storage: bytes, start: start, count: Int(ends[entry]) - start)
    }
}
