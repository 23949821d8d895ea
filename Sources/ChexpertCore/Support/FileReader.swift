import Glibc

/// Reads whole files with bounded size, mapping every failure to a
/// `ChexpertError` that names the path.
enum FileReader {
    /// Reads the regular file at `path` into `buffer`.
    ///
    /// Opens with `O_NONBLOCK`, so a FIFO never blocks the caller; anything
    /// but a regular file is refused.
    /// - Parameters:
    ///   - path: NUL-terminated path.
    ///   - displayPath: the path as shown in messages.
    ///   - maxBytes: files larger than this are refused with `.limit`.
    /// - Returns: the number of bytes read into `buffer.pointer`.
    /// - Throws: `.notFound`, `.io`, `.limit`, `.noMemory`.
    static func read(
        path: UnsafePointer<CChar>, displayPath: @autoclosure () -> String,
        maxBytes: Int, into buffer: ScratchBuffer
    ) throws(ChexpertError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let err = errno
            throw ChexpertError(err == ENOENT || err == ENOTDIR ? .notFound : .io,
                                "\(displayPath()): \(err == ENOENT || err == ENOTDIR ? "no such file" : describe(errno: err))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw ChexpertError(.io, "\(displayPath()): cannot stat: \(describe(errno: errno))")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw ChexpertError(.io, "\(displayPath()): \(kind == S_IFDIR ? "is a directory" : "is not a regular file")")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw ChexpertError(.limit, "\(displayPath()): \(size) bytes exceeds the limit of \(maxBytes) bytes")
        }
        let destination = try buffer.reserve(size)
        var done = 0
        while done < size {
            let n = Glibc.read(fd, destination + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ChexpertError(.io, "\(displayPath()): read failed: \(describe(errno: errno))")
            }
            if n == 0 {
                throw ChexpertError(.io, "\(displayPath()): short read: \(done) of \(size) bytes (the file shrank while being read)")
            }
            done += n
        }
        return done
    }

    static func describe(errno err: Int32) -> String {
        guard let text = strerror(err) else { return "errno \(err)" }
        return String(cString: text)
    }
}
