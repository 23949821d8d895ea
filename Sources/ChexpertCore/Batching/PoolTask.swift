import CSystem

/// Work queued on the library's worker pool that a caller waits for later
/// (`cxp_task_submit`, `cxp_task_wait`): the engine of `chexpert_job`.
///
/// The body runs exactly once per process that waits for it: on a pool
/// thread, or on the waiting thread when no pool thread took it (the pool is
/// busy or has no thread); in a fork child, a body that a parent thread was
/// running at the fork runs again, from the start, on the child's waiting
/// thread. A task not waited for keeps the pool alive, and its body, until
/// exit.
package final class PoolTask: @unchecked Sendable {
    private let body: Unmanaged<Body>
    private let task: OpaquePointer
    private var waited = false

    /// The closure, boxed so that its address is the C context.
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Queues `run` on the pool, grown to `threads` threads.
    /// - Throws: `.noMemory` (nothing queued).
    package init(threads: Int, _ run: @escaping () -> Void) throws(ChexpertError) {
        let memory = try CheckedAllocation.allocateOrThrow(bytes: Int(clamping: cxp_task_size()), for: "a job")
        // Retained by the C task until `wait`.
        let body = Unmanaged.passRetained(Body(run))
        task = cxp_task_submit(memory, Int32(clamping: threads), { context in
            guard let context else { return }
            Unmanaged<Body>.fromOpaque(context).takeUnretainedValue().run()
        }, body.toOpaque(), ParallelWorkers.threadFaultHook)
        self.body = body
    }

    /// Not waited for: the pool thread may still run the body; keep both.
    deinit {
        guard waited else { return }
        cxp_task_destroy(task)
        CheckedAllocation.free(UnsafeMutableRawPointer(task))
    }

    /// Whether the body has run (`wait` would not block). Any thread, also
    /// during or after `wait`.
    package var isDone: Bool { cxp_task_done(task) != 0 }

    /// Returns once the body has run in this process. Call exactly once.
    package func wait() {
        cxp_task_wait(task)
        body.release()
        waited = true
    }
}
