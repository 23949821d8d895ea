import Glibc

/// A fresh directory under /tmp, removed with everything in it by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/chexpert-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        path = String(cString: made)
    }

    /// Writes `bytes` to `path/relative`, creating parent folders.
    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let full = path + "/" + relative
        var folder = ""
        for part in full.split(separator: "/").dropLast() {
            folder += "/" + part
            if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw TestFailure("mkdir \(folder)") }
        }
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TestFailure("open \(full)") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TestFailure("write \(full)") }
    }

    func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

    func remove() { Self.removeTree(path) }

    private static func removeTree(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                removeTree(path + "/" + name)
            }
            closedir(dir)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
