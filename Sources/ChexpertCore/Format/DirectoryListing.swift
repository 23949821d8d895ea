import Glibc

/// One directory read with `opendir`/`readdir` (no `stat` per entry): what
/// release detection, the AIMI patient index and the test split's study
/// folders use.
enum DirectoryListing {
    /// Most entries a listing keeps names of (`names(in:)`); the patient index
    /// streams entries and keeps none.
    static let maxNames = 65_536

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
    /// - Throws: `.limit` past `maxNames` entries.
    static func names(in folder: [UInt8]) throws(ChexpertError) -> [[UInt8]]? {
        var names: [[UInt8]] = []
        let opened = try forEach(in: folder) { (name) throws(ChexpertError) in
            guard names.count < maxNames else {
                throw ChexpertError(.limit, "\(DatasetLayout.display(folder)): more than \(maxNames) entries")
            }
            names.append(Array(name))
            return false
        }
        guard opened else { return nil }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `names` for a message: the first `limit` (with `/` after folders is
    /// not known without a stat, so none), then how many more.
    static func summary(_ names: [[UInt8]], limit: Int = 24) -> String {
        if names.isEmpty { return "nothing" }
        var text = names.prefix(limit).map { "'" + DatasetLayout.display($0) + "'" }.joined(separator: ", ")
        if names.count > limit { text += " and \(names.count - limit) more" }
        return text
    }
}
