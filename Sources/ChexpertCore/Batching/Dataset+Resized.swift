extension Dataset {
    /// Reads `indices`, each decoded, resampled to `spec` and written to
    /// `output` (example k at k * `spec.bytesPerExample`), in parallel; plus
    /// labels and views as `batchRead`. C: `chexpert_batch_read_resized`.
    /// - Throws: `.invalidArgument`, `.outOfRange`, `.bufferTooSmall` before
    ///   anything is written; then the error of the first failing position.
    public func batchReadResized(split: Split, indices: UnsafeBufferPointer<Int64>, spec: ResizeSpec,
                                 output: UnsafeMutableRawBufferPointer?, labels: UnsafeMutableBufferPointer<Int64>?,
                                 views: UnsafeMutableBufferPointer<Int32>?, threads: Int32) throws(ChexpertError) {
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
        guard let base = output?.baseAddress, !rows.isEmpty else { return }

        let options = self.options
        let dct = spec.dct ?? options.dct
        let writer = ResizedWriter(spec: spec)
        try forEachPosition(rows, split: split, workers: workers) { (worker, position) throws(ChexpertError) in
            let decoder = worker.decoder
            let shape = try decoder.load(table, index: rows[position], layout: layout, options: options)
            let grey = decoder.loadedIsGrey || spec.channels == 1
            let channels = grey ? 1 : ImageShape.channels
            let pixels = try worker.pixels.reserve(shape.height * shape.width * channels)
            try decoder.decodeLoaded(shape: shape, dct: dct, grey: grey, into: pixels, layout: layout)
            let geometry = FitGeometry(fit: spec.fit, source: shape, height: spec.height, width: spec.width)
            let example = base + position * spec.bytesPerExample
            writer.writePadding(geometry, to: example)
            worker.resampler.resample(pixels, source: shape, channels: channels, geometry: geometry,
                                      filter: spec.filter) { ry, row in
                writer.writeRegionRow(ry, row, sourceChannels: channels, geometry, to: example)
            }
        }
    }
}
