extension Dataset {
    /// Checks every index of a batch against `split` before anything is read.
    /// - Returns: the rows, in `indices` order: a view of the caller's
    ///   indices (`checkedRowView`; no copy, which would be a Swift array as
    ///   long as the batch).
    /// - Throws: `.outOfRange` naming the first bad position.
    package func checkedRows(_ indices: UnsafeBufferPointer<Int64>, split: Split) throws(ChexpertError) -> BatchRows {
        try checkedRowView(indices, split: split)
    }

    /// What every parallel batch call checks before it reads anything:
    /// `checkedRowView`, and the thread count.
    /// - Returns: the rows, and the workers for them (`ParallelWorkers.workerCount`).
    /// - Throws: `.outOfRange`, `.invalidArgument`.
    package func checkedBatch(_ indices: UnsafeBufferPointer<Int64>, split: Split,
                              threads: Int) throws(ChexpertError) -> (rows: BatchRows, workers: Int) {
        let rows = try checkedRowView(indices, split: split)
        return (rows, try ParallelWorkers.workerCount(requested: threads, items: rows.count))
    }

    /// `checkedRows` without copying: a view of the caller's indices as rows
    /// (no allocation that scales with the batch).
    package func checkedRowView(_ indices: UnsafeBufferPointer<Int64>, split: Split) throws(ChexpertError) -> BatchRows {
        let table = table(split)
        for (position, index) in indices.enumerated() {
            guard index >= 0, index < Int64(table.count) else {
                throw ChexpertError(.outOfRange,
                                    "indices[\(position)] = \(index) is out of range for split '\(split.name)' with \(table.count) examples")
            }
        }
        return BatchRows(indices: indices)
    }

    /// How batch messages name a position.
    func locator(_ rows: BatchRows, split: Split) -> (Int) -> String {
        { position in
            "batch position \(position) (index \(position < rows.count ? rows[position] : -1) of '\(split.name)')"
        }
    }

    /// Decodes `indices` packed back to back (example k's `h x w x 3` bytes
    /// right after example k-1's), reading each file once: phase 1 reads
    /// every file into per-call memory and parses its header, in parallel;
    /// phase 2 decodes from that memory, in parallel. C: `chexpert_batch_images`.
    /// - Parameters:
    ///   - dct: nil for the handle's setting.
    ///   - threads: 0 (the CPUs of the affinity mask) ... `ParallelWorkers.maxThreads`.
    ///   - out: the destination, or nil for a size query (headers only).
    ///   - shapes: nil, or at least `2 * indices.count` elements: {height,
    ///     width} per example, written after phase 1 (also for a size query
    ///     and when `out` is too small).
    /// - Throws: `.invalidArgument`, `.outOfRange` before any file is read;
    ///   the first failing position's error from phase 1 (nothing written);
    ///   `.bufferTooSmall` (shapes written, nothing in `out`); then the first
    ///   failing position's decode error (`out` unspecified); `.noMemory`.
    package func batchImages(split: Split, indices: UnsafeBufferPointer<Int64>, dct: DCTMethod?, threads: Int,
                             out: UnsafeMutableBufferPointer<UInt8>?,
                             shapes: UnsafeMutableBufferPointer<Int32>?) throws(ChexpertError) {
        let table = table(split)
        let (rows, workers) = try checkedBatch(indices, split: split, threads: threads)
        let count = rows.count
        if let shapes, shapes.count / 2 < count {
            throw ChexpertError(.internal, "batchImages: shapes holds \(shapes.count) elements for \(count) examples")
        }
        guard count > 0 else { return }
        let settings = self.settings
        let dct = dct ?? settings.dct
        let sizeOnly = out == nil
        let loaded = try UnsafeMutablePointer<LoadedImage>.allocateChecked(count, for: "the files of \(count) examples")
        loaded.initialize(repeating: LoadedImage(bytes: nil, count: 0, shape: ImageShape(height: 0, width: 0)),
                          count: count)
        defer {
            for position in 0 ..< count { loaded[position].release() }
            loaded.deinitialize(count: count)
            loaded.deallocateChecked()
        }
        let locate = locator(rows, split: split)
        // Phase 1: every file into memory, its header parsed.
        try BatchRunner.run(count: count, workers: workers, locate: locate) { (worker, position) throws(ChexpertError) in
            let shape = try worker.decoder.load(table, index: rows[position], layout: layout, settings: settings)
            loaded[position] = worker.decoder.takeLoaded(shape: shape)
            if sizeOnly { loaded[position].release() }
        }
        var total = 0
        for position in 0 ..< count {
            let shape = loaded[position].shape
            if let shapes {
                shapes[2 * position] = Int32(clamping: shape.height)
                shapes[2 * position + 1] = Int32(clamping: shape.width)
            }
            let (sum, overflow) = total.addingReportingOverflow(shape.byteCount)
            guard !overflow else {
                throw ChexpertError(.limit, "the \(count) images add up to more than \(Int.max) bytes")
            }
            total = sum
        }
        guard let out else { return }
        guard let base = out.baseAddress, out.count >= total else {
            throw ChexpertError(.bufferTooSmall(needed: total),
                                "out holds \(out.count) bytes; the \(count) images need \(total) (sum of height * width * 3)")
        }
        let offsets = try UnsafeMutablePointer<Int>.allocateChecked(count, for: "the offsets of \(count) examples")
        defer { offsets.deallocateChecked() }
        var offset = 0
        for position in 0 ..< count {
            offsets[position] = offset
            offset += loaded[position].shape.byteCount  // <= total: no overflow
        }
        // Phase 2: decode from memory into the packed offsets.
        try BatchRunner.run(count: count, workers: workers, locate: locate) { (worker, position) throws(ChexpertError) in
            try worker.decoder.decode(loaded[position], dct: dct, into: base + offsets[position],
                                      table: table, index: rows[position], layout: layout)
            loaded[position].release()
        }
    }

    /// Reads and fully decodes each of `indices` (writing no pixels), in
    /// parallel. C: `chexpert_batch_verify`.
    /// - Parameters:
    ///   - dct: nil for the handle's setting.
    ///   - threads: 0 ... `ParallelWorkers.maxThreads`.
    /// - Returns: per position, nil or the error reading that example gives
    ///   (`.notFound`, `.io`, `.image`, `.limit`; the message that
    ///   `readImage` would give).
    /// - Throws: `.invalidArgument`, `.outOfRange` (before any decoding);
    ///   `.noMemory`.
    package func batchVerify(split: Split, indices: UnsafeBufferPointer<Int64>, dct: DCTMethod?,
                             threads: Int) throws(ChexpertError) -> ExampleErrors {
        let table = table(split)
        let (rows, workers) = try checkedBatch(indices, split: split, threads: threads)
        let settings = self.settings
        let dct = dct ?? settings.dct
        return try BatchRunner.runCollectingDataErrors(count: rows.count, workers: workers, keepingMessages: true,
                                                       locate: locator(rows, split: split)) { (worker, position) throws(ChexpertError) in
            let decoder = worker.decoder
            let shape = try decoder.load(table, index: rows[position], layout: layout, settings: settings)
            let grey = decoder.loadedIsGrey
            // <= maxPixels * 3 (a checked setting): no overflow.
            let pixels = try worker.pixels.reserve(shape.height * shape.width * (grey ? 1 : ImageShape.channels),
                                                   for: "the pixels of \(decoder.displayPath(layout))")
            try decoder.decodeLoaded(shape: shape, dct: dct, grey: grey, into: pixels, layout: layout)
        }
    }
}

/// A batch's indices, already checked against the split, as rows: a view of
/// the caller's memory (valid during the call).
package struct BatchRows: RandomAccessCollection {
    let indices64: UnsafeBufferPointer<Int64>

    init(indices: UnsafeBufferPointer<Int64>) { indices64 = indices }

    package var startIndex: Int { 0 }
    package var endIndex: Int { indices64.count }
    package subscript(position: Int) -> Int { Int(indices64[position]) }
}
