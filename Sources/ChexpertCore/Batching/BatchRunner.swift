/// The parallel engine of batch calls: runs a body for every batch position
/// on the calling thread and `ParallelWorkers` pool threads, each with its
/// own `BatchWorker`, and reports the error of the first failing position.
/// The call returns when every position is done; a pool thread that finds no
/// position left returns to the pool at once, free for the next call.
enum BatchRunner {
    /// Runs `body` for every position 0 ..< `count` on `workers` threads.
    /// Positions are handed out in increasing order from a shared counter (no
    /// worker waits on a slower one's fixed share). A worker stops at its
    /// first error, and no position is handed out after one; every position
    /// below a failing one was handed out before it.
    /// - Parameters:
    ///   - locate: describes a position for messages ("batch position 3
    ///     (index 7 of 'train')").
    /// - Throws: the error of the smallest failing position, its message
    ///   prefixed with `locate(position)`; `.noMemory`.
    static func run(count: Int, workers: Int, locate: (Int) -> String,
                    _ body: (BatchWorker, Int) throws(ChexpertError) -> Void) throws(ChexpertError) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(workers, count))
        guard let failures = UnsafeMutablePointer<(Int, ChexpertError)?>.allocateChecked(workers) else {
            throw ChexpertError(.noMemory, "cannot allocate the state of \(workers) batch workers")
        }
        failures.initialize(repeating: nil, count: workers)
        defer {
            failures.deinitialize(count: workers)
            failures.deallocateChecked()
        }
        let queue = PositionQueue(count: count)
        ParallelWorkers.run(workers: workers) { worker in
            // A worker that finds the positions all handed out (a pool thread
            // joining late) returns without creating its decoder.
            guard var position = queue.next() else { return }
            let state: BatchWorker
            do throws(ChexpertError) {
                state = try BatchWorker()
            } catch {
                // No decompressor: report it at the first position not yet done.
                failures[worker] = (position, error)
                queue.stop()
                return
            }
            while true {
                do throws(ChexpertError) {
                    try body(state, position)
                } catch {
                    failures[worker] = (position, error)
                    queue.stop()
                    return
                }
                guard let next = queue.next() else { return }
                position = next
            }
        }
        var first: (Int, ChexpertError)?
        for worker in 0 ..< workers {
            if let failure = failures[worker], failure.0 < (first?.0 ?? Int.max) { first = failure }
        }
        if let (position, error) = first {
            var located = error
            located.message = "\(locate(position)): \(error.message)"
            throw located
        }
    }

    /// `run`, except that an example's data error
    /// (`BadExamplePolicy.isDataError`: missing, unreadable, not a JPEG, over
    /// a limit) is recorded for its position, unprefixed, instead of failing
    /// the call; other errors still fail it.
    /// - Parameter keepingMessages: whether the errors' messages are kept
    ///   (else only their codes: a byte per position).
    /// - Returns: per position, the data error recorded, or nil.
    /// - Throws: as `run`, for errors other than data errors; `.noMemory`.
    static func runCollectingDataErrors(count: Int, workers: Int, keepingMessages: Bool, locate: (Int) -> String,
                                        _ body: (BatchWorker, Int) throws(ChexpertError) -> Void)
        throws(ChexpertError) -> ExampleErrors {
        guard count > 0 else { return ExampleErrors(none: 0) }
        let kept = try ExampleErrors(count: count, keepingMessages: keepingMessages)
        try run(count: count, workers: workers, locate: locate) { (worker, position) throws(ChexpertError) in
            do throws(ChexpertError) {
                try body(worker, position)
            } catch where BadExamplePolicy.isDataError(error) {
                kept.record(error, at: position)
            }
        }
        kept.finish()
        return kept
    }
}
