import CResample

/// `CHEXPERT_RESAMPLE_FAST`: the same geometry and Pillow coefficients as
/// `.exact` (computed in Double, then rounded to Float), summed in float32 by
/// the C kernel `CResample`: columns first, `CXR_BLOCK` output rows at a time,
/// each SIMD lane one output row, taps added in order (no FMA), so every CPU
/// gives the same bits. Its difference from `.exact` is bounded by the
/// kernel length (float32 rounding of at most `fastMaxTaps` products per pass
/// and of the weights): docs/training.md states the bound and the worst case
/// measured; `Tests/ChexpertTests/FastResampleTests.swift` and
/// `Tests/python/test_resample_fast.py` check it.
extension Resampler {
    /// Longest kernel the fast path takes (a reduction of 128x with
    /// BILINEAR, 256x with AREA); longer ones are resampled `.exact`, so the
    /// float32 rounding stays far below a level.
    static let fastMaxTaps = 257

    /// The fast path's scratch bytes: `tables` (both axes, as `ResampleAxis.plan`
    /// counts them), the transposed columns of the horizontal span (at most the
    /// source width, plus `kernelSize` columns of padding) and a block of output
    /// rows. nil on overflow.
    static func fastScratchBytes(source: ImageShape, channels: Int, geometry: FitGeometry, kernelSize: Int,
                                 tables: Int) -> Int? {
        let (padded, o0) = source.width.addingReportingOverflow(kernelSize)
        let (values, o1) = padded.multipliedReportingOverflow(by: channels)
        let (columns, o2) = values.multipliedReportingOverflow(by: Int(CXR_BLOCK) * MemoryLayout<Float>.stride)
        let (rowValues, o3) = geometry.regionWidth.multipliedReportingOverflow(by: channels)
        let (rows, o4) = rowValues.multipliedReportingOverflow(by: Int(CXR_BLOCK) * MemoryLayout<Float>.stride)
        let (sum, o5) = columns.addingReportingOverflow(rows)
        let (total, o6) = sum.addingReportingOverflow(tables)
        return o0 || o1 || o2 || o3 || o4 || o5 || o6 ? nil : total
    }

    /// Resamples as `resample` does, with the float32 kernel.
    /// - Returns: false, having done nothing visible, when a kernel is longer
    ///   than `fastMaxTaps` (the caller resamples `.exact`).
    /// - Throws: `.noMemory`; the caller checked the scratch limit.
    func resampleFast(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, geometry: FitGeometry,
                      filter: ResampleFilter, sink: (Int, UnsafePointer<Float>) -> Void) throws(ChexpertError) -> Bool {
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        let h = ResampleAxis.plan(start: geometry.sourceX0, end: geometry.sourceX1, outputSize: outW, filter: filter)
        let v = ResampleAxis.plan(start: geometry.sourceY0, end: geometry.sourceY1, outputSize: outH, filter: filter)
        guard h.kernelSize <= Self.fastMaxTaps, v.kernelSize <= Self.fastMaxTaps else { return false }
        try horizontal.prepare(sourceSize: source.width, start: geometry.sourceX0, end: geometry.sourceX1,
                               outputSize: outW, filter: filter, floats: true)
        try vertical.prepare(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                             outputSize: outH, filter: filter, floats: true)
        guard let hFirst = horizontal.firstPointer, let hCount = horizontal.countPointer,
              let hWeights = horizontal.floatWeightPointer, let vFirst = vertical.firstPointer,
              let vCount = vertical.countPointer, let vWeights = vertical.floatWeightPointer else {
            throw ChexpertError(.internal, "the resampling tables were not prepared")
        }
        // The source columns the horizontal pass reads: every first tap and
        // every tap (windows move monotonically, but the tables are the
        // authority; all lie in 0 ... source width).
        var col0 = Int.max, colEnd = 0
        for x in 0 ..< outW {
            col0 = Swift.min(col0, hFirst[x])
            colEnd = Swift.max(colEnd, hFirst[x] &+ hCount[x])
        }
        if col0 > colEnd { col0 = colEnd }
        let cols = colEnd &- col0
        // Bounded by fastScratchBytes (cols <= source width), which the
        // caller checked.
        let column = try fastColumnStorage.reserve(Int(cxr_scratch_floats(cols, channels, horizontal.kernelSize)),
                                                   of: Float.self, for: "resampling")
        let rowValues = outW &* channels
        let block = Int(CXR_BLOCK)
        let rows = try fastRowStorage.reserve(block &* rowValues, of: Float.self, for: "resampling")
        var plan = cxr_plan(
            source: pixels, source_stride: source.width &* channels, channels: channels, col0: col0, cols: cols,
            horizontal: cxr_axis(first: hFirst, count: hCount, weights: hWeights,
                                 ksize: horizontal.kernelSize, size: outW),
            vertical: cxr_axis(first: vFirst, count: vCount, weights: vWeights, ksize: vertical.kernelSize, size: outH))
        var y = 0
        while y < outH {
            let count = Swift.min(block, outH &- y)
            cxr_resample_block(&plan, y, count, column, rows)
            for r in 0 ..< count { sink(y &+ r, rows + r &* rowValues) }
            y &+= count
        }
        return true
    }
}
