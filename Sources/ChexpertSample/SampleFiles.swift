import Glibc

/// The file-system calls of the sample generator (POSIX, no Foundation),
/// package-visible so tests can build and inspect fixture trees with them.
///
/// Contract: every system call's result is checked; a failure throws a
/// `SampleError` (`.io`) whose message names the path and `strerror(errno)`.
package enum SampleFiles {
    /// Creates `path` and its missing parents (`mkdir -p`, mode 0755).
    /// An existing directory is fine; an existing non-directory is an error.
    /// - Throws: `SampleError` whose `path` is the component that failed and
    ///   whose message names both it and `path`.
    package static func makeDirectories(_ path: String) throws(SampleError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            do {
                try makeDirectory(prefix)
            } catch {
                var wrapped = error
                wrapped.message = "cannot create directory \(path): " + error.message
                throw wrapped
            }
            prefix += "/"
        }
    }

    /// Creates the single directory `path` (mode 0755); its parent must exist.
    /// An existing directory is fine.
    package static func makeDirectory(_ path: String) throws(SampleError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return }
            throw failure("mkdir", path, ENOTDIR)
        }
        throw failure("mkdir", path, code)
    }

    /// Writes `bytes` to `path` atomically: into `path.tmp` (created or
    /// truncated, mode 0644), closed, then renamed over `path`.
    package static func write(_ bytes: [UInt8], to path: String) throws(SampleError) {
        let result: Result<Void, SampleError> = bytes.withUnsafeBytes { raw in
            Result { () throws(SampleError) in try write(raw, to: path) }
        }
        try result.get()
    }

    /// `write(_:to:)` for raw memory.
    package static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(SampleError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", temporary, errno) }
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress.map { $0 + written }, bytes.count - written)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                _ = close(fd)
                _ = unlink(temporary)
                throw failure("write", temporary, code)
            }
            written += count
        }
        guard close(fd) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw failure("close", temporary, code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw failure("rename to " + path, temporary, code)
        }
    }

    /// - Returns: the whole content of the regular file `path`.
    package static func read(_ path: String) throws(SampleError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path, errno) }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure("read", path, code)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0 ..< count])
        }
    }

    /// - Returns: whether `path` names an existing regular file.
    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Creates a fresh, empty directory `$TMPDIR/<prefix>XXXXXX` (or under /tmp).
    /// - Returns: its path.
    package static func makeTemporaryDirectory(prefix: String = "chexpert-sample-") throws(SampleError) -> String {
        let parent = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard made else { throw failure("mkdtemp", path, errno) }
        return path
    }

    /// Deletes `path` and everything below it (symbolic links are removed, not
    /// followed). A missing `path` is fine.
    package static func removeTree(_ path: String) throws(SampleError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw failure("lstat", path, code)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in try directoryEntries(path) {
                try removeTree(path + "/" + name)
            }
            guard rmdir(path) == 0 else { throw failure("rmdir", path, errno) }
        } else {
            guard unlink(path) == 0 else { throw failure("unlink", path, errno) }
        }
    }

    /// - Returns: the names in directory `path`, without "." and "..", in
    ///   directory order.
    package static func directoryEntries(_ path: String) throws(SampleError) -> [String] {
        guard let directory = opendir(path) else { throw failure("opendir", path, errno) }
        defer { _ = closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                let code = errno
                if code != 0 { throw failure("readdir", path, code) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    static func failure(_ call: String, _ path: String, _ code: Int32) -> SampleError {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return SampleError(.io, "\(call) failed for \(path): \(reason)", path: path, errno: code)
    }
}
