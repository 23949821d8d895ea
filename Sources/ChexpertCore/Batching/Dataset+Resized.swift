extension Dataset {
    /// Reads `indices`, each decoded, resampled to `spec` and written to
    /// `output` (example k at k * `spec.bytesPerExample`), in parallel.
    /// C: `chexpert_batch_resized`.
    /// - Parameters:
    ///   - output: the destination (aligned for Float with `.float32`).
    ///   - threads: 0 ... `ParallelWorkers.maxThreads`.
    /// - Returns: per position, nil or the data error of an example
    ///   substituted (a zero image) under `BadExamplePolicy.substitute` (the
    ///   spec's, else the handle's).
    /// - Throws: `.invalidArgument`, `.outOfRange`, `.bufferTooSmall` before
    ///   anything is written; then the error of the first failing position
    ///   (under `.raise`, or an error substitution does not cover).
    @discardableResult
    package func batchResized(split: Split, indices: UnsafeBufferPointer<Int64>, spec: ResizeSpec,
                              output: UnsafeMutableRawBufferPointer, threads: Int) throws(ChexpertError) -> ExampleErrors {
        let table = table(split)
        let (rows, workers) = try checkedResizedBatch(split: split, indices: indices, spec: spec, output: output,
                                                      threads: threads)
        guard let base = output.baseAddress, !rows.isEmpty else { return ExampleErrors(none: 0) }

        let settings = self.settings.servingPlanes(of: split)   // a packed cache's planes, if attached
        let dct = spec.dct ?? settings.dct
        let substitute = (spec.onError ?? settings.onError) == .substitute
        let writer = ResizedWriter(spec: spec)
        let locate = locator(rows, split: split)
        let body = { (worker: BatchWorker, position: Int) throws(ChexpertError) in
            try self.readResized(worker, table: table, row: rows[position], spec: spec, dct: dct,
                                 settings: settings, writer: writer, to: base + position * spec.bytesPerExample)
        }
        guard substitute else {
            try BatchRunner.run(count: rows.count, workers: workers, locate: locate, body)
            return ExampleErrors(none: rows.count)
        }
        let failed = try BatchRunner.runCollectingDataErrors(count: rows.count, workers: workers, keepingMessages: false,
                                                             locate: locate, body)
        if failed.failures > 0 {
            for position in 0 ..< rows.count where failed.failed(position) {
                writer.writeZero(to: base + position * spec.bytesPerExample)   // over any partial write
            }
        }
        return failed
    }

    /// The checks `batchResized` makes before it reads anything:
    /// `checkedBatch`, then `output`'s size and alignment.
    /// - Throws: `.outOfRange`, `.invalidArgument`, `.bufferTooSmall`.
    package func checkedResizedBatch(split: Split, indices: UnsafeBufferPointer<Int64>, spec: ResizeSpec,
                                     output: UnsafeMutableRawBufferPointer,
                                     threads: Int) throws(ChexpertError) -> (rows: BatchRows, workers: Int) {
        let (rows, workers) = try checkedBatch(indices, split: split, threads: threads)
        let needed = try spec.bytes(count: rows.count)
        guard output.count >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out holds \(output.count) bytes; \(rows.count) examples of \(spec.bytesPerExample) bytes need \(needed)")
        }
        if spec.elementType == .float32, let base = output.baseAddress,
           Int(bitPattern: base) % MemoryLayout<Float>.alignment != 0 {
            throw ChexpertError(.invalidArgument, "out is not aligned for float32")
        }
        return (rows, workers)
    }

    /// Decodes `table` row `row` and writes it resized to `example`.
    private func readResized(_ worker: BatchWorker, table: SplitTable, row: Int, spec: ResizeSpec,
                             dct: DCTMethod, settings: ReadSettings, writer: ResizedWriter,
                             to example: UnsafeMutableRawPointer) throws(ChexpertError) {
        let decoder = worker.decoder
        let shape = try decoder.load(table, index: row, layout: layout, settings: settings)
        let grey = decoder.loadedIsGrey || spec.channels == 1
        let channels = grey ? 1 : ImageShape.channels
        let full = FitGeometry(fit: spec.fit, source: shape, height: spec.height, width: spec.width)
        // CHEXPERT_DECODE_SCALE_AUTO: a smaller DCT-domain decode that still covers the output
        // (not with augmentation: its warp works on the full-size image; not from a packed
        // cache: its planes are decoded already).
        let scaled = spec.decodeScale == .auto && spec.augment == nil && settings.planes == nil
            ? DecodeScaling.shape(for: shape, geometry: full) : nil
        let decoded = scaled ?? shape
        let geometry = scaled.map { full.mapped(from: shape, to: $0) } ?? full
        // Refused before the pixels are allocated or decoded.
        try Resampler.checkScratch(source: decoded, channels: channels, geometry: geometry, filter: spec.filter,
                                   file: decoder.displayPath(layout))
        let pixels: UnsafePointer<UInt8>
        if let plane = decoder.loadedPlane, decoded == shape {
            pixels = plane      // a packed cache's grey plane: read in place from the mapping, no copy
        } else {
            // <= maxPixels * 3 (a checked setting): no overflow.
            let buffer = try worker.pixels.reserve(decoded.height * decoded.width * channels,
                                                   for: "the pixels of \(decoder.displayPath(layout))")
            try decoder.decodeLoaded(shape: decoded, dct: dct, grey: grey, into: buffer, layout: layout)
            pixels = UnsafePointer(buffer)
        }
        if let augment = spec.augment {
            try AugmentWarp.render(pixels, source: decoded, channels: channels, index: Int64(row), spec: spec,
                                   augment: augment, writer: writer, to: example, file: decoder.displayPath(layout))
            return
        }
        writer.writePadding(geometry, to: example)
        try worker.resampler.resample(pixels, source: decoded, channels: channels, geometry: geometry,
                                      filter: spec.filter, arithmetic: spec.resample,
                                      file: decoder.displayPath(layout)) { ry, values in
            writer.writeRegionRow(ry, values, sourceChannels: channels, geometry, to: example)
        }
    }
}
