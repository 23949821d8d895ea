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
        let failed = try forEachPosition(rows, split: split, workers: workers,
                                         collectingDataErrors: substitute) { (worker, position) throws(ChexpertError) in
            try readResized(worker, table: table, row: rows[position], spec: spec, dct: dct,
                            options: options, writer: writer, to: base + position * spec.bytesPerExample)
        }
        return failed.enumerated().compactMap { position, error in
            guard let error else { return nil }
            writer.writeZero(to: base + position * spec.bytesPerExample)   // over any partial write
            return Substitution(position: position, error: error)
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
        return try forEachPosition(rows, split: split, workers: workers,
                                   collectingDataErrors: true) { (worker, position) throws(ChexpertError) in
            let decoder = worker.decoder
            let shape = try decoder.load(table, index: rows[position], layout: layout, options: options)
            let grey = decoder.loadedIsGrey
            let pixels = try worker.pixels.reserve(shape.height * shape.width * (grey ? 1 : ImageShape.channels))
            try decoder.decodeLoaded(shape: shape, dct: options.dct, grey: grey, into: pixels, layout: layout)
        }
    }
}
