import ChexpertCore

/// Writes many sample images, optionally on several POSIX threads.
///
/// Contract: the files written do not depend on `jobs` (each image is a pure
/// function of its `SampleImage`); image `i` goes to worker `i % jobs`. The
/// threads are `ParallelWorkers`' (ended when `write` returns).
enum SampleImageBatch {
    /// One image to write: what and where (the folder must exist).
    struct Item: Sendable {
        var image: SampleImage
        var path: String
    }

    /// - Returns: the total number of JPEG bytes written.
    /// - Throws: the error of the lowest-numbered failing worker.
    static func write(_ items: [Item], jobs: Int) throws(SampleError) -> Int {
        let workers = max(1, min(jobs, items.count, 64))
        let shares = (0 ..< workers).map { Share(items: items, worker: $0, workers: workers) }
        ParallelWorkers.run(workers: workers) { shares[$0].run() }
        var bytes = 0
        for share in shares {
            if let error = share.error { throw error }
            bytes += share.bytes
        }
        return bytes
    }

    /// The images of one worker and its results. Touched by one thread at a
    /// time: the worker while it runs, the caller after the join.
    private final class Share: @unchecked Sendable {
        let items: [Item]
        let worker: Int
        let workers: Int
        var bytes = 0
        var error: SampleError?

        init(items: [Item], worker: Int, workers: Int) {
            self.items = items
            self.worker = worker
            self.workers = workers
        }

        func run() {
            do {
                var writer = try SampleImageWriter()
                var index = worker
                while index < items.count {
                    bytes += try writer.write(items[index].image, to: items[index].path)
                    index += workers
                }
            } catch {
                self.error = error
            }
        }
    }
}
