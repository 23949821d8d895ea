import Glibc

/// The one allocation entry point for memory whose size depends on the input
/// (file bytes, decoded pixels, resampler scratch, per-call tables, split
/// tables). Every such buffer on a path reachable from the C ABI comes from
/// here, never from growing Swift arrays or strings (whose growth traps when
/// malloc fails): a failed allocation is a nil the caller maps to
/// `.noMemory`, and the handle keeps working.
///
/// Pair every successful `allocate`/`reallocate` with `CheckedAllocation.free`
/// (not `Glibc.free`): fault-injection builds count outstanding blocks there.
///
/// Fault injection (`-Xswiftc -DCHEXPERT_FAULT_INJECTION`, test builds only;
/// release builds contain none of it): `FaultHooks` looks up, once, functions
/// that the test program exports (see `Tests/faults/`). Before each allocation
/// the library asks `chexpert_fault_alloc(bytes)`, which returns nonzero to
/// make that allocation fail; `chexpert_fault_track(pointer, +1/-1)` is told
/// about every block handed out and freed, so the test counts leaks.
package enum CheckedAllocation {
    /// `bytes` uninitialised bytes (at least one is allocated), or nil when
    /// `bytes` is negative or malloc fails (or the fault hook says so).
    /// `site`/`line`: the caller, reported to the fault hook (tests only).
    package static func allocate(bytes: Int, site: StaticString = #fileID, line: UInt = #line) -> UnsafeMutableRawPointer? {
        guard bytes >= 0 else { return nil }
        #if CHEXPERT_FAULT_INJECTION
        if FaultHooks.failAllocation(bytes, site, line) { return nil }
        #endif
        guard let raw = malloc(Swift.max(bytes, 1)) else { return nil }
        #if CHEXPERT_FAULT_INJECTION
        FaultHooks.track(raw, 1)
        #endif
        return raw
    }

    /// `count` elements of `stride` bytes each, or nil on overflow or failure.
    package static func allocate(count: Int, stride: Int, site: StaticString = #fileID,
                                 line: UInt = #line) -> UnsafeMutableRawPointer? {
        guard count >= 0, stride >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow else { return nil }
        return allocate(bytes: bytes, site: site, line: line)
    }

    /// Resizes a block from `allocate` (or allocates when `pointer` is nil).
    /// On failure (nil) the old block is untouched and still owned by the caller.
    package static func reallocate(_ pointer: UnsafeMutableRawPointer?, bytes: Int, site: StaticString = #fileID,
                                   line: UInt = #line) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(bytes: bytes, site: site, line: line) }
        guard bytes >= 0 else { return nil }
        #if CHEXPERT_FAULT_INJECTION
        if FaultHooks.failAllocation(bytes, site, line) { return nil }
        #endif
        guard let raw = realloc(pointer, Swift.max(bytes, 1)) else { return nil }
        #if CHEXPERT_FAULT_INJECTION
        if raw != pointer {
            FaultHooks.track(pointer, -1)
            FaultHooks.track(raw, 1)
        }
        #endif
        return raw
    }

    /// Frees a block from `allocate`/`reallocate`; nil is ignored.
    package static func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        #if CHEXPERT_FAULT_INJECTION
        FaultHooks.track(pointer, -1)
        #endif
        Glibc.free(pointer)
    }

    /// `allocate(bytes:)`, throwing `.noMemory` ("cannot allocate N bytes for
    /// WHAT") on failure.
    package static func allocateOrThrow(bytes: Int, for what: @autoclosure () -> String, site: StaticString = #fileID,
                                        line: UInt = #line) throws(ChexpertError) -> UnsafeMutableRawPointer {
        guard let raw = allocate(bytes: bytes, site: site, line: line) else {
            throw ChexpertError(.noMemory, "cannot allocate \(bytes) bytes for \(what())")
        }
        return raw
    }
}

extension UnsafeMutablePointer {
    /// `count` uninitialised elements from `CheckedAllocation`, or nil when
    /// the size overflows or the allocation fails (Swift's own allocation
    /// would trap). Free with `deallocateChecked()` (or `CheckedAllocation.free`).
    package static func allocateChecked(_ count: Int, site: StaticString = #fileID,
                                        line: UInt = #line) -> UnsafeMutablePointer<Pointee>? {
        guard let raw = CheckedAllocation.allocate(count: count, stride: MemoryLayout<Pointee>.stride,
                                                   site: site, line: line) else {
            return nil
        }
        return raw.bindMemory(to: Pointee.self, capacity: count)
    }

    /// `allocateChecked(count)`, throwing `.noMemory` naming `what` on failure.
    package static func allocateChecked(_ count: Int, for what: @autoclosure () -> String, site: StaticString = #fileID,
                                        line: UInt = #line) throws(ChexpertError) -> UnsafeMutablePointer<Pointee> {
        guard let pointer = allocateChecked(count, site: site, line: line) else {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Pointee>.stride)
            throw ChexpertError(.noMemory, overflow || count < 0
                ? "cannot allocate \(count) elements for \(what())"
                : "cannot allocate \(bytes) bytes for \(what())")
        }
        return pointer
    }

    /// Frees memory from `allocateChecked` (elements must be deinitialised
    /// first if they need it).
    package func deallocateChecked() {
        CheckedAllocation.free(UnsafeMutableRawPointer(self))
    }
}

#if CHEXPERT_FAULT_INJECTION
/// The test program's hooks, found once with `dlsym(RTLD_DEFAULT, …)`;
/// absent hooks (any program but the fault test) change nothing.
///
/// - `int chexpert_fault_alloc(size_t bytes, const char *site, int line)`:
///   nonzero makes this allocation fail (`site`: the caller's file).
/// - `void chexpert_fault_track(void *block, int delta)`: +1 handed out, -1 freed.
/// - `int chexpert_fault_io(int op, const char *path)`: op 0 open, 1 fstat,
///   2 read; returns 0 (proceed), an errno value to fail with, or for reads
///   -1 (end of file now: the file "shrank") and -2 (a partial read of 1 byte).
/// - `int chexpert_fault_thread(void)`: before the worker pool starts a
///   thread; nonzero makes that start fail.
package enum FaultHooks {
    typealias AllocHook = @convention(c) (Int, UnsafePointer<CChar>?, Int32) -> Int32
    typealias TrackHook = @convention(c) (UnsafeMutableRawPointer?, Int32) -> Void
    typealias IOHook = @convention(c) (Int32, UnsafePointer<CChar>?) -> Int32
    typealias ThreadHook = @convention(c) () -> Int32

    struct Table: @unchecked Sendable {
        var alloc: AllocHook?
        var track: TrackHook?
        var io: IOHook?
        var thread: ThreadHook?
    }

    static let table: Table = {
        func find(_ name: String) -> UnsafeMutableRawPointer? { dlsym(nil, name) }
        return Table(
            alloc: find("chexpert_fault_alloc").map { unsafeBitCast($0, to: AllocHook.self) },
            track: find("chexpert_fault_track").map { unsafeBitCast($0, to: TrackHook.self) },
            io: find("chexpert_fault_io").map { unsafeBitCast($0, to: IOHook.self) },
            thread: find("chexpert_fault_thread").map { unsafeBitCast($0, to: ThreadHook.self) })
    }()

    static func failAllocation(_ bytes: Int, _ site: StaticString, _ line: UInt) -> Bool {
        guard let hook = table.alloc else { return false }
        return site.withUTF8Buffer { text in
            text.withMemoryRebound(to: CChar.self) { chars in
                hook(bytes, chars.baseAddress, Int32(truncatingIfNeeded: line)) != 0
            }
        }
    }

    static func track(_ pointer: UnsafeMutableRawPointer, _ delta: Int32) {
        table.track?(pointer, delta)
    }

    /// The injected outcome of an I/O operation on `path` (0: proceed).
    static func io(_ op: Int32, _ path: UnsafePointer<CChar>) -> Int32 {
        guard let hook = table.io else { return 0 }
        return hook(op, path)
    }
}
#endif
