extension Dataset {
    /// Reads `indices`, each decoded, resampled to `spec` and written to
    /// `output` (example k at k * `spec.bytesPerExample`), in parallel; plus
    /// labels and views as `batchRead`. C: `chexpert_batch_read_resized`.
    /// - Returns: the examples substituted under `BadExamplePolicy.substitute`
    ///   (the spec's, else the handle's), in position order.
    /// - Throws: `.invalidArgument`, `.outOfRange`, `.bufferTooSmall` before
    ///   anything is written; then the error of the first failing position
    ///   (under `.raise`, or an error substitution does not cover).
    @discardableResult
    public func batchReadResized(split: Split, indices: UnsafeBufferPointer<Int64>, spec: ResizeSpec,
                                 output: UnsafeMutableRawBufferPointer?, labels: UnsafeMutableBufferPointer<Int64>?,
                                 views: UnsafeMutableBufferPointer<Int32>?, threads: Int32) throws(ChexpertError) -> [Substitution] {
        let table = table(split)
        let rows = try checkedRows(indices, table: table, split: split)
        let workers = try ParallelWorkers.workerCount(requested: threads, items: rows.count)
        let needed = try spec.bytes(count: rows.count)
        let capacity = output?.count ?? 0
        guard capacity >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out holds \(capacity) bytes; \(rows.count) examples of \(spec.bytesPerExample) bytes need \(needed)")
        }
        if spec.elementType == .float32, let base = output?.baseAddress,
           Int(bitPattern: base) % MemoryLayout<Float>.alignment != 0 {
            throw ChexpertError(.invalidArgument, "out is not aligned for float32")
        }
        try checkMetadataCapacity(rows: rows, table: table, labels: labels, views: views)
        writeMetadata(rows: rows, table: table, labels: labels, views: views)
        guard let base = output?.baseAddress, !rows.isEmpty else { return [] }

        let options = self.options
        let dct = spec.dct ?? options.dct
        let substitute = (spec.onError ?? options.onError) == .substitute
        let writer = ResizedWriter(spec: spec)
        // Written by the workers at distinct positions.
        let failed = UnsafeMutableBufferPointer<ChexpertError?>.allocate(capacity: rows.count)
        failed.initialize(repeating: nil)
        defer {
            failed.deinitialize()
            failed.deallocate()
        }
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            let example = base + position * spec.bytesPerExample
            do throws(ChexpertError) {
                try readResized(worker, table: table, row: rows[position], spec: spec, dct: dct,
                                options: options, writer: writer, to: example)
            } catch where substitute && BadExamplePolicy.isDataError(error) {
                writer.writeZero(to: example)
                failed[position] = error
            }
        }
        return failed.enumerated().compactMap { position, error in
            error.map { Substitution(position: position, error: $0) }
        }
    }

    /// Decodes `table` row `row` and writes it resized to `example`.
    private func readResized(_ worker: BatchWorker, table: SplitTable, row: Int, spec: ResizeSpec,
                             dct: DCTMethod, options: DecodeOptions, writer: ResizedWriter,
                             to example: UnsafeMutableRawPointer) throws(ChexpertError) {
        let decoder = worker.decoder
        let shape = try decoder.load(table, index: row, layout: layout, options: options)
        let grey = decoder.loadedIsGrey || spec.channels == 1
        let channels = grey ? 1 : ImageShape.channels
        let pixels = try worker.pixels.reserve(shape.height * shape.width * channels)
        try decoder.decodeLoaded(shape: shape, dct: dct, grey: grey, into: pixels, layout: layout)
        let geometry = FitGeometry(fit: spec.fit, source: shape, height: spec.height, width: spec.width)
        writer.writePadding(geometry, to: example)
        worker.resampler.resample(pixels, source: shape, channels: channels, geometry: geometry,
                                  filter: spec.filter) { ry, values in
            writer.writeRegionRow(ry, values, sourceChannels: channels, geometry, to: example)
        }
    }
}

extension Dataset {
    /// Reads and fully decodes each of `indices` (nothing is written
    /// anywhere), in parallel. C: `chexpert_batch_verify`.
    /// - Returns: per position, nil or the error reading that example gives.
    /// - Throws: `.invalidArgument`, `.outOfRange` (before any decoding);
    ///   `.noMemory`.
    public func batchVerify(split: Split, indices: UnsafeBufferPointer<Int64>,
                            threads: Int32) throws(ChexpertError) -> [ChexpertError?] {
        let table = table(split)
        let rows = try checkedRows(indices, table: table, split: split)
        let workers = try ParallelWorkers.workerCount(requested: threads, items: rows.count)
        let options = self.options
        let results = UnsafeMutableBufferPointer<ChexpertError?>.allocate(capacity: rows.count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            do throws(ChexpertError) {
                let decoder = worker.decoder
                let shape = try decoder.load(table, index: rows[position], layout: layout, options: options)
                let grey = decoder.loadedIsGrey
                let pixels = try worker.pixels.reserve(shape.height * shape.width * (grey ? 1 : ImageShape.channels))
                try decoder.decodeLoaded(shape: shape, dct: options.dct, grey: grey, into: pixels, layout: layout)
            } catch where BadExamplePolicy.isDataError(error) {
                results[position] = error
            }
        }
        return Array(results)
    }
}
