import Glibc

/// Reads whole files with bounded size into checked memory, mapping every
/// failure to a `ChexpertError` that names the path. Never a partial success:
/// the call returns all `st_size` bytes or throws.
///
/// - `EINTR` (open, read) is retried.
/// - `EIO` and every other read error is `.io` ("PATH: read failed: …").
/// - A read that ends (returns 0) before the size `fstat` gave is `.io`
///   ("PATH: short read: N of M bytes …"); partial reads are continued.
///
/// Fault-injection builds (`CHEXPERT_FAULT_INJECTION`) ask the test's
/// `chexpert_fault_io` hook before each open, fstat and read (see
/// `CheckedAllocation.swift`); release builds contain no hook.
enum FileReader {
    /// Reads the regular file at `path` into `buffer`.
    ///
    /// Opens with `O_NONBLOCK`, so a FIFO never blocks the caller; anything
    /// but a regular file is refused.
    /// - Parameters:
    ///   - path: NUL-terminated path.
    ///   - displayPath: the path as shown in messages.
    ///   - maxBytes: files larger than this are refused with `.limit`
    ///     before anything is allocated.
    /// - Returns: the number of bytes read into `buffer.pointer`.
    /// - Throws: `.notFound`, `.io`, `.limit`, `.noMemory`.
    static func read(
        path: UnsafePointer<CChar>, displayPath: @autoclosure () -> String,
        maxBytes: Int, into buffer: ScratchBuffer
    ) throws(ChexpertError) -> Int {
        var fd: Int32
        repeat {
            fd = openFile(path)
        } while fd < 0 && errno == EINTR
        if fd < 0 {
            let err = errno
            throw ChexpertError(err == ENOENT || err == ENOTDIR ? .notFound : .io,
                                "\(displayPath()): \(err == ENOENT || err == ENOTDIR ? "no such file" : describe(errno: err))")
        }
        defer { close(fd) }
        var info = stat()
        if statFile(fd, path, &info) != 0 {
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
        let destination = try buffer.reserve(size, for: "the file \(displayPath())")
        var done = 0
        while done < size {
            let n = readFile(fd, path, destination + done, size - done)
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                throw ChexpertError(.io, "\(displayPath()): read failed: \(describe(errno: err))")
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

    private static func openFile(_ path: UnsafePointer<CChar>) -> Int32 {
        #if CHEXPERT_FAULT_INJECTION
        let injected = FaultHooks.io(0, path)
        if injected > 0 {
            errno = injected
            return -1
        }
        #endif
        return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    }

    private static func statFile(_ fd: Int32, _ path: UnsafePointer<CChar>, _ info: inout stat) -> Int32 {
        #if CHEXPERT_FAULT_INJECTION
        let injected = FaultHooks.io(1, path)
        if injected > 0 {
            errno = injected
            return -1
        }
        #endif
        return fstat(fd, &info)
    }

    private static func readFile(_ fd: Int32, _ path: UnsafePointer<CChar>, _ into: UnsafeMutablePointer<UInt8>,
                                 _ count: Int) -> Int {
        #if CHEXPERT_FAULT_INJECTION
        let injected = FaultHooks.io(2, path)
        if injected > 0 {
            errno = injected
            return -1
        }
        if injected == -1 { return 0 }  // the file ends here: it "shrank"
        if injected == -2 { return Glibc.read(fd, into, Swift.min(count, 1)) }  // a partial read
        #endif
        return Glibc.read(fd, into, count)
    }
}
