import ChexpertCore

/// A batch call a job can run: its arguments checked and converted, and
/// the call itself (`ResizedCall`, `ImagesCall`).
protocol BatchCall {
    /// The caller's indices; a job points them at its own copy.
    var indices: UnsafeBufferPointer<Int64> { get set }
    /// What the call checks before reading anything.
    /// - Returns: the threads it will use.
    func check() throws(ChexpertError) -> Int
    func run() throws(ChexpertError)
}

/// A started batch call (`chexpert_job`): its own copy of the indices, the
/// call queued on the worker pool, and, once it has run, its error if any.
final class BatchJob: @unchecked Sendable {
    private let indices: UnsafeMutablePointer<Int64>?
    private let outcome = Outcome()
    private let lock = Lock()
    private var task: PoolTask?     // under `lock`: set once, right after registration

    /// What the call left: written by the thread that runs it, read by the
    /// waiter after `PoolTask.wait` (which orders the two).
    private final class Outcome: @unchecked Sendable {
        var failure: ChexpertError?
    }

    private init(indices: UnsafeMutablePointer<Int64>?) { self.indices = indices }

    deinit { indices?.deallocateChecked() }

    /// Checks `call` (`BatchCall.check`), copies its indices, registers a
    /// job, and queues the call (on the copy) on the pool grown to the
    /// threads it will use.
    /// - Returns: the job's handle.
    /// - Throws: the call's argument errors, `.noMemory`, `.limit`
    ///   (handles); nothing is queued then.
    static func start<Call: BatchCall>(_ call: Call) throws(ChexpertError) -> OpaquePointer {
        var call = call
        let threads = try call.check()
        let indices = call.indices
        var copy: UnsafeMutablePointer<Int64>?
        if let base = indices.baseAddress, !indices.isEmpty {
            let pointer = try UnsafeMutablePointer<Int64>.allocateChecked(indices.count,
                                                                          for: "the \(indices.count) indices of a job")
            pointer.initialize(from: base, count: indices.count)
            copy = pointer
        }
        let job = BatchJob(indices: copy)
        let copied = UnsafeBufferPointer(start: copy, count: copy == nil ? 0 : indices.count)
        let outcome = job.outcome
        let handle = try HandleRegistry.shared.register(job)
        call.indices = copied
        let queued = call
        do throws(ChexpertError) {
            let task = try PoolTask(threads: threads) {
                do throws(ChexpertError) {
                    try queued.run()
                    outcome.failure = nil
                } catch {
                    outcome.failure = error
                }
            }
            job.lock.withLock { job.task = task }
        } catch {
            HandleRegistry.shared.remove(handle, as: BatchJob.self)
            throw error
        }
        return handle
    }

    /// Whether the call has run.
    var isDone: Bool { lock.withLock { task }?.isDone ?? false }

    /// Waits for the call (running it here if no pool thread took it). Once
    /// per job (`HandleRegistry.takeJob`).
    /// - Throws: the call's error.
    func wait() throws(ChexpertError) {
        lock.withLock { task }?.wait()
        if let failure = outcome.failure { throw failure }
    }
}
