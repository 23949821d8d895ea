import CSystem
import Glibc

/// Runs work on the library's persistent worker pool (pthreads,
/// Sources/CSystem/csystem.c) and the calling thread.
/// Package-visible so the sample generator uses the same mechanism.
///
/// Not Dispatch: after `fork()` Dispatch silently runs serially in the child.
/// The pool is fork-safe (a child starts with an empty pool), starts threads
/// lazily, up to the largest `workers - 1` asked for, and ends them all when
/// no dataset handle is open and no call runs (`handleOpened`,
/// `handleClosed`), at exit and at dlclose.
package enum ParallelWorkers {
    /// CPUs this process may run on (its affinity mask), at least 1.
    static func availableCPUs() -> Int {
        let count = Int(cxp_affinity_cpu_count())
        if count > 0 { return count }
        return Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Largest thread count a call takes (`CHEXPERT_MAX_THREADS`).
    package static let maxThreads = 1024

    /// The worker count for `requested` threads (0: the available CPUs) and
    /// `items` work items: never more workers than items, at least one.
    /// - Throws: `.invalidArgument` for a request outside 0 ... `maxThreads`.
    package static func workerCount(requested: Int, items: Int) throws(ChexpertError) -> Int {
        guard requested >= 0, requested <= maxThreads else {
            throw ChexpertError(.invalidArgument,
                                "CHEXPERT_KEY_THREADS = \(requested) is outside 0 (all CPUs) ... \(maxThreads)")
        }
        let wanted = requested == 0 ? availableCPUs() : requested
        return Swift.max(1, Swift.min(wanted, items))
    }

    /// Calls `body(w)` once for every w in 0..<workers, concurrently: on the
    /// calling thread and up to `workers - 1` pool threads, each taking the
    /// next w until none is left (with no pool thread, the calling thread
    /// makes every call). Returns when all calls have returned; a pool thread
    /// done with its calls moves on to other callers' work at once.
    package static func run(workers: Int, _ body: (Int) -> Void) {
        guard workers > 1 else {
            body(0)
            return
        }
        let shares = PositionQueue(count: workers)
        withoutActuallyEscaping(body) { escapable in
            var job = Job(shares: shares, body: escapable)
            withUnsafeMutablePointer(to: &job) { pointer in
                cxp_pool_run(Int32(Swift.min(workers - 1, Int(CXP_POOL_MAX_HELPERS))), { context, _ in
                    guard let job = context?.assumingMemoryBound(to: Job.self).pointee else { return }
                    while let worker = job.shares.next() { job.body(worker) }
                }, pointer, threadFaultHook)
            }
        }
    }

    /// A dataset handle was opened: the pool keeps its threads while any is.
    package static func handleOpened() { cxp_pool_handle_opened() }

    /// A dataset handle was closed: the last one (once no call runs) ends the
    /// pool's threads.
    package static func handleClosed() { cxp_pool_handle_closed() }

    private struct Job {
        let shares: PositionQueue
        let body: (Int) -> Void
    }

    #if CHEXPERT_FAULT_INJECTION
    static var threadFaultHook: (@convention(c) () -> Int32)? { FaultHooks.table.thread }
    #else
    static var threadFaultHook: (@convention(c) () -> Int32)? { nil }
    #endif
}
