import ChexpertSample

/// A fresh directory under /tmp (made and removed with `SampleFiles`).
struct TempDirectory {
    let path: String

    init() throws {
        path = try SampleFiles.makeTemporaryDirectory(prefix: "chexpert-test-")
    }

    /// Writes `bytes` to `path/relative`, creating parent folders.
    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let full = path + "/" + relative
        try SampleFiles.makeDirectories(String(full[..<(full.lastIndex(of: "/") ?? full.endIndex)]))
        try SampleFiles.write(bytes, to: full)
    }

    func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

    func remove() { try? SampleFiles.removeTree(path) }
}
