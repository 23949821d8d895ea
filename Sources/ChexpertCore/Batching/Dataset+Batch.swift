extension Dataset {
    /// Reads the JPEG headers of `indices`, in parallel.
    /// C: `chexpert_batch_shapes`.
    /// - Parameters:
    ///   - heights, widths: `indices.count` elements each.
    ///   - threads: 0 for all available CPUs.
    /// - Throws: `.invalidArgument`, `.outOfRange` (before any file is read),
    ///   else the error of the first failing position.
    public func batchShapes(split: Split, indices: UnsafeBufferPointer<Int64>,
                            heights: UnsafeMutableBufferPointer<Int32>, widths: UnsafeMutableBufferPointer<Int32>,
                            threads: Int32) throws(ChexpertError) {
        let table = table(split)
        let rows = try checkedRows(indices, table: table, split: split)
        guard heights.count >= rows.count, widths.count >= rows.count else {
            throw ChexpertError(.internal, "shape arrays shorter than the batch")
        }
        let workers = try ParallelWorkers.workerCount(requested: threads, items: rows.count)
        let options = self.options
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            let shape = try worker.decoder.load(table, index: rows[position], layout: layout, options: options)
            heights[position] = Int32(clamping: shape.height)
            widths[position] = Int32(clamping: shape.width)
        }
    }

    /// The outputs of `batchRead`; each is optional.
    public struct BatchOutputs {
        /// Caller's shapes for the images, `count` each; required with `images`.
        public var heights: UnsafeBufferPointer<Int32>?
        public var widths: UnsafeBufferPointer<Int32>?
        public var images: UnsafeMutableRawBufferPointer?
        public var labels: UnsafeMutableBufferPointer<Int64>?
        public var views: UnsafeMutableBufferPointer<Int32>?

        public init(heights: UnsafeBufferPointer<Int32>?, widths: UnsafeBufferPointer<Int32>?,
                    images: UnsafeMutableRawBufferPointer?, labels: UnsafeMutableBufferPointer<Int64>?,
                    views: UnsafeMutableBufferPointer<Int32>?) {
            self.heights = heights
            self.widths = widths
            self.images = images
            self.labels = labels
            self.views = views
        }
    }

    /// Reads `indices`' labels and views and decodes their images, packed back
    /// to back in the caller's shapes, in parallel. C: `chexpert_batch_read`.
    /// - Throws: `.invalidArgument`, `.outOfRange`, `.bufferTooSmall` before
    ///   anything is written; then the error of the first failing position.
    public func batchRead(split: Split, indices: UnsafeBufferPointer<Int64>, outputs: BatchOutputs,
                          threads: Int32) throws(ChexpertError) {
        let table = table(split)
        let rows = try checkedRows(indices, table: table, split: split)
        let workers = try ParallelWorkers.workerCount(requested: threads, items: rows.count)
        let options = self.options
        let offsets = try outputs.images.map { (images) throws(ChexpertError) -> [Int] in
            guard let heights = outputs.heights, let widths = outputs.widths else {
                throw ChexpertError(.invalidArgument, "heights and widths are required with images")
            }
            return try Self.packedOffsets(heights: heights, widths: widths, count: rows.count,
                                          capacity: images.count, maxPixels: options.maxPixels)
        }
        try checkMetadataCapacity(rows: rows, table: table, labels: outputs.labels, views: outputs.views)
        writeMetadata(rows: rows, table: table, labels: outputs.labels, views: outputs.views)
        guard let images = outputs.images, let offsets, let base = images.baseAddress, !rows.isEmpty else { return }
        let destination = base.assumingMemoryBound(to: UInt8.self)
        let heights = outputs.heights, widths = outputs.widths
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            let shape = try worker.decoder.load(table, index: rows[position], layout: layout, options: options)
            let expected = ImageShape(height: Int(heights?[position] ?? 0), width: Int(widths?[position] ?? 0))
            guard shape == expected else {
                throw ChexpertError(.invalidArgument,
                                    "the image is \(shape.height)x\(shape.width) but heights/widths say \(expected.height)x\(expected.width)")
            }
            try worker.decoder.decodeLoaded(shape: shape, dct: options.dct, into: destination + offsets[position], layout: layout)
        }
    }

    /// Checks that label and view outputs hold `rows.count` examples.
    /// - Throws: `.bufferTooSmall`.
    func checkMetadataCapacity(rows: [Int], table: SplitTable, labels: UnsafeMutableBufferPointer<Int64>?,
                               views: UnsafeMutableBufferPointer<Int32>?) throws(ChexpertError) {
        if let labels {
            let (needed, overflow) = rows.count.multipliedReportingOverflow(by: table.labelCount)
            guard !overflow, labels.count >= needed else {
                throw ChexpertError(.bufferTooSmall(needed: needed),
                                    "labels holds \(labels.count) elements; \(rows.count) examples x \(table.labelCount) labels need \(needed)")
            }
        }
        if let views, views.count < rows.count {
            throw ChexpertError(.bufferTooSmall(needed: rows.count),
                                "views holds \(views.count) elements; \(rows.count) examples need \(rows.count)")
        }
    }

    /// Copies `rows`' labels (row k at k * labelCount) and views.
    func writeMetadata(rows: [Int], table: SplitTable, labels: UnsafeMutableBufferPointer<Int64>?,
                       views: UnsafeMutableBufferPointer<Int32>?) {
        if let labels {
            var out = 0
            for row in rows {
                for value in table.labels(at: row) {
                    labels[out] = Int64(value)
                    out += 1
                }
            }
        }
        if let views {
            for (position, row) in rows.enumerated() { views[position] = Int32(table.view(at: row)) }
        }
    }

    /// Checks every index before anything is read.
    public func checkedRows(_ indices: UnsafeBufferPointer<Int64>, table: SplitTable,
                             split: Split) throws(ChexpertError) -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(Swift.min(indices.count, 1 << 20))
        for (position, index) in indices.enumerated() {
            guard index >= 0, index < Int64(table.count) else {
                throw ChexpertError(.outOfRange,
                                    "indices[\(position)] = \(index) is out of range for split '\(split.name)' with \(table.count) examples")
            }
            rows.append(Int(index))
        }
        return rows
    }

    /// Byte offsets of packed `h x w x 3` images, checked against the pixel
    /// limit (so no product overflows) and the capacity.
    static func packedOffsets(heights: UnsafeBufferPointer<Int32>, widths: UnsafeBufferPointer<Int32>, count: Int,
                              capacity: Int, maxPixels: Int64) throws(ChexpertError) -> [Int] {
        guard heights.count >= count, widths.count >= count else {
            throw ChexpertError(.internal, "shape arrays shorter than the batch")
        }
        var offsets: [Int] = [0]
        offsets.reserveCapacity(Swift.min(count, 1 << 20) + 1)
        var total = 0
        for position in 0 ..< count {
            let height = Int64(heights[position]), width = Int64(widths[position])
            guard height > 0, width > 0, height * width <= maxPixels else {
                throw ChexpertError(.invalidArgument,
                                    "heights[\(position)] x widths[\(position)] = \(height)x\(width) is not a valid image size (1 ... \(maxPixels) pixels)")
            }
            let (sum, overflow) = total.addingReportingOverflow(Int(height * width) * ImageShape.channels)
            guard !overflow else {
                throw ChexpertError(.invalidArgument, "the batch's image sizes add up to more than \(Int.max) bytes")
            }
            total = sum
            offsets.append(total)
        }
        guard total <= capacity else {
            throw ChexpertError(.bufferTooSmall(needed: total),
                                "images holds \(capacity) bytes; the batch's shapes need \(total)")
        }
        return offsets
    }

    /// `forEachPosition`, except that with `collecting` an example's data
    /// error (`BadExamplePolicy.isDataError`: missing, unreadable, not a
    /// JPEG, over a limit) is kept for its position instead of failing the
    /// call; other errors still fail it.
    /// - Returns: per position, the data error kept, or nil.
    func forEachPosition(_ rows: [Int], split: Split, workers: Int, collectingDataErrors collecting: Bool,
                         _ body: (BatchWorker, Int) throws(ChexpertError) -> Void) throws(ChexpertError) -> [ChexpertError?] {
        // Written by the workers at distinct positions.
        let kept = UnsafeMutableBufferPointer<ChexpertError?>.allocate(capacity: rows.count)
        kept.initialize(repeating: nil)
        defer {
            kept.deinitialize()
            kept.deallocate()
        }
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            do throws(ChexpertError) {
                try body(worker, position)
            } catch where collecting && BadExamplePolicy.isDataError(error) {
                kept[position] = error
            }
        }
        return Array(kept)
    }

    /// Runs `body` for every position on `workers` threads, each with its
    /// own `BatchWorker`. Positions are handed out in increasing order from a
    /// shared counter (no worker waits on a slower one's fixed share). A
    /// worker stops at its first error, and no position is handed out after
    /// one; every position below a failing one was handed out before it.
    /// - Throws: the error of the smallest failing position, prefixed with
    ///   the position and index.
    func forEachPosition(_ rows: [Int], split: Split, workers: Int,
                         _ body: (BatchWorker, Int) throws(ChexpertError) -> Void) throws(ChexpertError) {
        guard !rows.isEmpty else { return }
        let failures = UnsafeMutableBufferPointer<(Int, ChexpertError)?>.allocate(capacity: workers)
        failures.initialize(repeating: nil)
        defer {
            failures.deinitialize()
            failures.deallocate()
        }
        let queue = PositionQueue(count: rows.count)
        ParallelWorkers.run(workers: workers) { worker in
            do throws(ChexpertError) {
                let state = try BatchWorker()
                while let position = queue.next() {
                    do throws(ChexpertError) {
                        try body(state, position)
                    } catch {
                        failures[worker] = (position, error)
                        queue.stop()
                        return
                    }
                }
            } catch {
                // No decompressor: report it at the first position not yet done.
                if let position = queue.next() { failures[worker] = (position, error) }
                queue.stop()
            }
        }
        if let (position, error) = failures.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) {
            var located = error
            located.message = "batch position \(position) (index \(rows[position]) of '\(split.name)'): \(error.message)"
            throw located
        }
    }
}

/// Hands out positions 0 ..< count in increasing order to worker threads.
final class PositionQueue: @unchecked Sendable {
    private let lock = Lock()
    private var upcoming = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next position, or nil when all are handed out or after `stop()`.
    func next() -> Int? {
        lock.withLock {
            guard upcoming < count else { return nil }
            defer { upcoming += 1 }
            return upcoming
        }
    }

    /// Hands out nothing more.
    func stop() { lock.withLock { upcoming = count } }
}
