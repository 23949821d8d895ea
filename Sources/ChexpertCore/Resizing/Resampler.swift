/// Resamples decoded 8-bit pixels separably. `.exact`
/// (`CHEXPERT_RESAMPLE_EXACT`) does it as Pillow's float ("F")
/// resampling does: rows first (only those the columns need), intermediate
/// rows stored as Float, then columns; every sum taken in Double in tap order,
/// so results equal Pillow's. `.fast` (the default,
/// `CHEXPERT_RESAMPLE_FAST`) computes the same coefficients rounded to Float
/// and sums in float32 with SIMD, columns first (`Resampler+Fast.swift`, the
/// C kernel `CResample`). Each finished output row is handed to a sink
/// (the writer) while it is still in cache. One per worker thread; its
/// buffers are reused for every image, so the steady state allocates nothing.
///
/// The loops use unsafe pointers (no bounds checks in the hot path); every
/// index stays in bounds by construction: `ResampleAxis` clamps each output
/// pixel's first tap to the source and pads its weights with zeros up to
/// `kernelSize`, the source row copy is padded with `kernelSize` zeros, and
/// the buffers are sized just before use.
final class Resampler {
    /// Largest scratch memory one resampler (one worker thread) takes for one
    /// example: both axes' tables, the source row, the rows after the
    /// horizontal pass (source rows read x output width x channels, the big
    /// one) and the output row (`CHEXPERT_MAX_SCRATCH_BYTES`). A resize that
    /// needs more is refused with `.limit` before anything is allocated.
    package static let maxScratchBytes = 1 << 30

    let horizontal = ResampleAxis()
    let vertical = ResampleAxis()
    /// The fast kernel's transposed columns and its block of output rows.
    let fastColumnStorage = ScratchBuffer()
    let fastRowStorage = ScratchBuffer()
    /// One source row as Double, plus `kernelSize` zeros.
    private let sourceRowStorage = ScratchBuffer()
    /// Rows after the horizontal pass: `rows x regionWidth x channels`.
    private let rowPassStorage = ScratchBuffer()
    /// One output row's running sums in the vertical pass.
    private let sumsStorage = ScratchBuffer()
    /// One finished output row, as Pillow stores it (Float).
    private let outputRowStorage = ScratchBuffer()

    /// The scratch bytes `resample` needs for this image and geometry, or
    /// nil when the size overflows. Allocates nothing.
    static func scratchBytes(source: ImageShape, channels: Int, geometry: FitGeometry,
                             filter: ResampleFilter) -> Int? {
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        let h = ResampleAxis.plan(start: geometry.sourceX0, end: geometry.sourceX1, outputSize: outW, filter: filter)
        let v = ResampleAxis.plan(start: geometry.sourceY0, end: geometry.sourceY1, outputSize: outH, filter: filter)
        let span = ResampleAxis.span(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                                     outputSize: outH, filter: filter)
        let rows = Swift.max(span.end - span.first, 0)
        guard let hBytes = h.bytes, let vBytes = v.bytes else { return nil }
        var total = 0, overflow = false
        func add(_ terms: Int...) {
            var product = 1
            for term in terms {
                let (p, o) = product.multipliedReportingOverflow(by: term)
                overflow = overflow || o
                product = p
            }
            let (sum, o) = total.addingReportingOverflow(product)
            overflow = overflow || o
            total = sum
        }
        add(hBytes)
        add(vBytes)
        add(source.width + h.kernelSize, channels, MemoryLayout<Double>.stride)  // source row
        add(rows, outW, channels, MemoryLayout<Float>.stride)                   // row pass
        add(outW, channels, MemoryLayout<Double>.stride)                        // sums
        add(outW, channels, MemoryLayout<Float>.stride)                         // output row
        guard !overflow, let fast = fastScratchBytes(source: source, channels: channels, geometry: geometry,
                                                     kernelSize: h.kernelSize, tables: hBytes &+ vBytes) else {
            return nil
        }
        return Swift.max(total, fast)
    }

    /// Checks that resampling fits `maxScratchBytes`.
    /// - Throws: `.limit` naming `CHEXPERT_MAX_SCRATCH_BYTES`, the sizes and `file`.
    static func checkScratch(source: ImageShape, channels: Int, geometry: FitGeometry, filter: ResampleFilter,
                             file: @autoclosure () -> String) throws(ChexpertError) {
        let bytes = scratchBytes(source: source, channels: channels, geometry: geometry, filter: filter)
        if let bytes, bytes <= maxScratchBytes { return }
        let needs = bytes.map { "\($0) bytes" } ?? "more than \(Int.max) bytes"
        throw ChexpertError(.limit, "\(file()): resampling \(source.height)x\(source.width) to \(geometry.regionHeight)x\(geometry.regionWidth) needs \(needs) of scratch memory, over the limit of \(maxScratchBytes) bytes (CHEXPERT_MAX_SCRATCH_BYTES)")
    }

    /// Resamples `pixels` (`source` shape, `channels` interleaved bytes per
    /// pixel) over `geometry`'s source window, calling `sink(ry, row)` for
    /// each region row `ry` in order (`row`: `regionWidth x channels` values,
    /// valid during the call).
    /// - Parameter arithmetic: `.fast` (float32 SIMD; `.exact` for kernels
    ///   of more than `fastMaxTaps` taps) or `.exact` (Pillow's).
    /// - Throws: `.limit` (`checkScratch`, before allocating), `.noMemory`.
    func resample(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int,
                  geometry: FitGeometry, filter: ResampleFilter, arithmetic: ResizeSpec.Resample = .fast,
                  file: @autoclosure () -> String,
                  sink: (Int, UnsafePointer<Float>) -> Void) throws(ChexpertError) {
        try Self.checkScratch(source: source, channels: channels, geometry: geometry, filter: filter, file: file())
        if allowsIdentity, try copyIdentity(pixels, source: source, channels: channels, geometry: geometry, sink: sink) {
            return
        }
        if arithmetic == .fast,
           try resampleFast(pixels, source: source, channels: channels, geometry: geometry, filter: filter, sink: sink) {
            return
        }
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        try horizontal.prepare(sourceSize: source.width, start: geometry.sourceX0, end: geometry.sourceX1,
                               outputSize: outW, filter: filter)
        try vertical.prepare(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                             outputSize: outH, filter: filter)
        let span = ResampleAxis.span(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                                     outputSize: outH, filter: filter)
        let firstRow = span.first
        let rows = Swift.max(span.end - span.first, 0)
        // Sizes below cannot overflow: checkScratch bounded their sum.
        let rowStride = outW * channels
        let sourceStride = source.width * channels
        let sourceRowCount = sourceStride + horizontal.kernelSize * channels
        let converted = try sourceRowStorage.reserve(sourceRowCount, of: Double.self, for: "resampling")
        let rowPass = try rowPassStorage.reserve(rows * rowStride, of: Float.self, for: "resampling")
        let sums = try sumsStorage.reserve(rowStride, of: Double.self, for: "resampling")
        let outputRow = try outputRowStorage.reserve(rowStride, of: Float.self, for: "resampling")

        horizontal.withPointers { first, _, weights, kernelSize in
            let rowOut = rowPass
            for i in sourceStride ..< sourceRowCount { converted[i] = 0 }
            for row in 0 ..< rows {
                // Each source value converted once; taps past a row's
                // end read zeros with zero weights, which leaves the sum
                // exactly as Pillow's (x + 0.0 == x).
                let input = pixels + ((firstRow &+ row) &* sourceStride)
                var i = 0
                while i < sourceStride { converted[i] = Double(input[i]); i &+= 1 }
                let output = rowOut + row &* rowStride
                if channels == 1 {
                    // Grey, the CheXpert case: unit stride.
                    for x in 0 ..< outW {
                        output[x] = Float(Self.dot(converted + first[x], weights + x &* kernelSize, kernelSize))
                    }
                    continue
                }
                for c in 0 ..< channels {
                    for x in 0 ..< outW {
                        let tapInput = converted + (first[x] &* channels &+ c)
                        let kernel = weights + x &* kernelSize
                        var sum = 0.0
                        var tap = 0
                        while tap < kernelSize {
                            sum += tapInput[tap &* channels] * kernel[tap]
                            tap &+= 1
                        }
                        output[x &* channels &+ c] = Float(sum)
                    }
                }
            }
        }
        vertical.withPointers { first, count, weights, kernelSize in
            let rowIn = UnsafePointer(rowPass), row = outputRow
            for y in 0 ..< outH {
                let start = first[y] &- firstRow, taps = count[y]
                let kernel = weights + y &* kernelSize
                var i = 0
                while i < rowStride { sums[i] = 0; i &+= 1 }
                for tap in 0 ..< taps {
                    let input = rowIn + ((start &+ tap) &* rowStride)
                    let w = kernel[tap]
                    i = 0
                    while i < rowStride { sums[i] += Double(input[i]) * w; i &+= 1 }
                }
                i = 0
                while i < rowStride { row[i] = Float(sums[i]); i &+= 1 }
                sink(y, row)
            }
        }
    }

    /// Whether `resample` takes the identity shortcut (`copyIdentity`);
    /// tests turn it off to compare it with the full resample.
    var allowsIdentity = true

    /// The identity shortcut: when the source window maps one to one onto
    /// the region on both axes (scale exactly 1, integer offsets; a packed
    /// cache built at the output size), every output value is its source
    /// pixel as Float. That is exactly what both arithmetics compute there:
    /// Pillow's coefficients at scale 1 are one weight 1.0 and zeros, for
    /// area and bilinear alike (`ResampleAxis.identityOffset`), and
    /// 0 + 1 * p + 0 * q == p in Float and Double.
    /// - Returns: false, having done nothing, when the geometry is not one.
    /// - Throws: `.noMemory`; the caller checked the scratch limit.
    private func copyIdentity(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, geometry: FitGeometry,
                              sink: (Int, UnsafePointer<Float>) -> Void) throws(ChexpertError) -> Bool {
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        guard let x0 = ResampleAxis.identityOffset(sourceSize: source.width, start: geometry.sourceX0,
                                                   end: geometry.sourceX1, outputSize: outW),
              let y0 = ResampleAxis.identityOffset(sourceSize: source.height, start: geometry.sourceY0,
                                                   end: geometry.sourceY1, outputSize: outH) else { return false }
        // In bounds: identityOffset checked x0 + outW <= width, y0 + outH <= height.
        let rowValues = outW &* channels, sourceStride = source.width &* channels
        let row = try outputRowStorage.reserve(rowValues, of: Float.self, for: "resampling")
        for y in 0 ..< outH {
            let input = pixels + ((y0 &+ y) &* sourceStride &+ x0 &* channels)
            var i = 0
            while i < rowValues { row[i] = Float(input[i]); i &+= 1 }
            sink(y, row)
        }
        return true
    }

    /// The sum of `input[t] * kernel[t]` for t in 0 ..< n, added in order
    /// from 0.0 as Pillow does; the kernel sizes of the usual reductions
    /// (area and bilinear up to 3x) are unrolled.
    @inline(__always)
    private static func dot(_ input: UnsafePointer<Double>, _ kernel: UnsafePointer<Double>, _ n: Int) -> Double {
        switch n {
        case 3:
            return 0.0 + input[0] * kernel[0] + input[1] * kernel[1] + input[2] * kernel[2]
        case 5:
            return 0.0 + input[0] * kernel[0] + input[1] * kernel[1] + input[2] * kernel[2]
                + input[3] * kernel[3] + input[4] * kernel[4]
        case 7:
            return 0.0 + input[0] * kernel[0] + input[1] * kernel[1] + input[2] * kernel[2]
                + input[3] * kernel[3] + input[4] * kernel[4] + input[5] * kernel[5] + input[6] * kernel[6]
        default:
            var sum = 0.0
            var tap = 0
            while tap < n {
                sum += input[tap] * kernel[tap]
                tap &+= 1
            }
            return sum
        }
    }
}
