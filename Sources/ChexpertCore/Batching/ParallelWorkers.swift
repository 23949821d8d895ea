import CSystem
import Glibc

/// Runs work on short-lived pthreads that are joined before returning.
/// Package-visible so the sample generator uses the same mechanism.
///
/// Not Dispatch: after `fork()` Dispatch silently runs serially in the child,
/// and its idle threads make the parent multi-threaded at fork time (PyTorch's
/// DataLoader forks). Threads started here never outlive the call.
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

    /// Calls `body(w)` for every w in 0..<workers, concurrently: worker 0 on
    /// the calling thread, the others on new pthreads. If a thread cannot be
    /// started, its share runs on the calling thread instead. Returns when all
    /// calls have returned.
    package static func run(workers: Int, _ body: (Int) -> Void) {
        guard workers > 1 else {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let job = Job(escapable)
            var threads: [pthread_t] = []
            var leftovers: [Int] = []
            for worker in 1 ..< workers {
                let context = Unmanaged.passRetained(WorkerContext(job: job, worker: worker)).toOpaque()
                var thread = pthread_t()
                let status = pthread_create(&thread, nil, { raw in
                    guard let raw else { return nil }
                    let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
                    context.job.body(context.worker)
                    return nil
                }, context)
                if status == 0 {
                    threads.append(thread)
                } else {
                    Unmanaged<WorkerContext>.fromOpaque(context).release()
                    leftovers.append(worker)
                }
            }
            escapable(0)
            for worker in leftovers { escapable(worker) }
            for thread in threads { pthread_join(thread, nil) }
        }
    }

    private final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    private final class WorkerContext {
        let job: Job
        let worker: Int
        init(job: Job, worker: Int) {
            self.job = job
            self.worker = worker
        }
    }
}
