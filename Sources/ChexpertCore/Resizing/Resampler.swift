/// Resamples decoded 8-bit pixels separably, as Pillow's float ("F")
/// resampling does: rows first (only those the columns need), intermediate
/// rows stored as Float, then columns; every sum taken in Double in tap order,
/// so results equal Pillow's. Each finished output row is handed to a sink
/// (the writer) while it is still in cache. One per worker thread; its
/// buffers are reused for every image, so the steady state allocates nothing.
///
/// The loops use unsafe pointers (no bounds checks in the hot path); every
/// index stays in bounds by construction: `ResampleAxis` clamps each output
/// pixel's first tap to the source and pads its weights with zeros up to
/// `kernelSize`, the source row copy is padded with `kernelSize` zeros, and
/// the buffers are sized just before use.
final class Resampler {
    private var horizontal = ResampleAxis()
    private var vertical = ResampleAxis()
    /// One source row as Double, plus `kernelSize` zeros.
    private var sourceRow: [Double] = []
    /// Rows after the horizontal pass: `rows x regionWidth x channels`.
    private var rowPass: [Float] = []
    /// One output row's running sums in the vertical pass.
    private var sums: [Double] = []
    /// One finished output row, as Pillow stores it (Float).
    private var outputRow: [Float] = []

    /// Resamples `pixels` (`source` shape, `channels` interleaved bytes per
    /// pixel) over `geometry`'s source window, calling `sink(ry, row)` for
    /// each region row `ry` in order (`row`: `regionWidth x channels` values,
    /// valid during the call).
    func resample(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int,
                  geometry: FitGeometry, filter: ResampleFilter, sink: (Int, UnsafePointer<Float>) -> Void) {
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        horizontal.compute(sourceSize: source.width, start: geometry.sourceX0, end: geometry.sourceX1,
                           outputSize: outW, filter: filter)
        vertical.compute(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                         outputSize: outH, filter: filter)
        let firstRow = vertical.first.first ?? 0
        let lastRow = outH > 0 ? vertical.first[outH - 1] + vertical.count[outH - 1] : firstRow
        let rows = Swift.max(lastRow - firstRow, 0)
        let rowStride = outW * channels
        let sourceStride = source.width * channels
        Self.setCount(&sourceRow, sourceStride + horizontal.kernelSize * channels)
        Self.setCount(&rowPass, rows * rowStride)
        Self.setCount(&sums, rowStride)
        Self.setCount(&outputRow, rowStride)

        horizontal.withPointers { first, _, weights, kernelSize in
            sourceRow.withUnsafeMutableBufferPointer { sourceRow in
                rowPass.withUnsafeMutableBufferPointer { rowOut in
                    guard let converted = sourceRow.baseAddress, let rowOut = rowOut.baseAddress else { return }
                    for i in sourceStride ..< sourceRow.count { converted[i] = 0 }
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
            }
        }
        vertical.withPointers { first, count, weights, kernelSize in
            rowPass.withUnsafeBufferPointer { rowIn in
                sums.withUnsafeMutableBufferPointer { sums in
                    outputRow.withUnsafeMutableBufferPointer { row in
                        guard let rowIn = rowIn.baseAddress, let sums = sums.baseAddress,
                              let row = row.baseAddress else { return }
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
            }
        }
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

    /// Sets `buffer`'s count, keeping its storage (contents are overwritten).
    private static func setCount<T: Numeric>(_ buffer: inout [T], _ count: Int) {
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
    }
}
