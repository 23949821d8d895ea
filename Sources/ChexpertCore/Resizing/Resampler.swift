/// Resamples decoded 8-bit pixels into a float region, separably: rows
/// first (only those the columns need), then columns, intermediate rows
/// stored as Float and every sum taken in Double in tap order, as Pillow's
/// float ("F") resampling does, so results equal Pillow's. One per worker
/// thread; its buffers are reused for every image, so the steady state
/// allocates nothing.
///
/// The loops use unsafe pointers (no bounds checks in the hot path); every
/// index stays in bounds by construction: `ResampleAxis` clamps each output
/// pixel's taps to the source, and the buffers are sized just before use.
final class Resampler {
    private var horizontal = ResampleAxis()
    private var vertical = ResampleAxis()
    /// Rows after the horizontal pass: `rows x regionWidth x channels`.
    private var rowPass: [Float] = []
    /// One output row's running sums in the vertical pass.
    private var sums: [Double] = []
    /// The resampled region: `regionHeight x regionWidth x channels`.
    private(set) var region: [Float] = []

    /// Resamples `pixels` (`source` shape, `channels` interleaved bytes per
    /// pixel) over `geometry`'s source window into `region`.
    func resample(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int,
                  geometry: FitGeometry, filter: ResampleFilter) {
        let outW = geometry.regionWidth, outH = geometry.regionHeight
        horizontal.compute(sourceSize: source.width, start: geometry.sourceX0, end: geometry.sourceX1,
                           outputSize: outW, filter: filter)
        vertical.compute(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                         outputSize: outH, filter: filter)
        let firstRow = vertical.first.first ?? 0
        let lastRow = outH > 0 ? vertical.first[outH - 1] + vertical.count[outH - 1] : firstRow
        let rows = Swift.max(lastRow - firstRow, 0)
        let rowStride = outW * channels
        Self.setCount(&rowPass, rows * rowStride, 0)
        Self.setCount(&sums, rowStride, 0)
        Self.setCount(&region, outH * rowStride, 0)

        horizontal.withPointers { first, count, weights, kernelSize in
            rowPass.withUnsafeMutableBufferPointer { rowOut in
                guard let rowOut = rowOut.baseAddress else { return }
                for row in 0 ..< rows {
                    let input = pixels + ((firstRow &+ row) &* source.width &* channels)
                    let output = rowOut + row &* rowStride
                    if channels == 1 {
                        // Grey, the CheXpert case: one sum per output pixel.
                        for x in 0 ..< outW {
                            let tapInput = input + first[x], kernel = weights + x &* kernelSize
                            var sum = 0.0
                            var tap = 0
                            while tap < count[x] {
                                sum += Double(tapInput[tap]) * kernel[tap]
                                tap &+= 1
                            }
                            output[x] = Float(sum)
                        }
                        continue
                    }
                    for x in 0 ..< outW {
                        let start = first[x], taps = count[x]
                        let kernel = weights + x &* kernelSize
                        for c in 0 ..< channels {
                            let tapInput = input + (start &* channels &+ c)
                            var sum = 0.0
                            var tap = 0
                            while tap < taps {
                                sum += Double(tapInput[tap &* channels]) * kernel[tap]
                                tap &+= 1
                            }
                            output[x &* channels &+ c] = Float(sum)
                        }
                    }
                }
            }
        }
        vertical.withPointers { first, count, weights, kernelSize in
            rowPass.withUnsafeBufferPointer { rowIn in
                sums.withUnsafeMutableBufferPointer { sums in
                    region.withUnsafeMutableBufferPointer { out in
                        guard let rowIn = rowIn.baseAddress, let sums = sums.baseAddress,
                              let out = out.baseAddress else { return }
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
                            let output = out + y &* rowStride
                            i = 0
                            while i < rowStride { output[i] = Float(sums[i]); i &+= 1 }
                        }
                    }
                }
            }
        }
    }

    /// Sets `buffer`'s count, keeping its storage (contents are overwritten).
    private static func setCount<T>(_ buffer: inout [T], _ count: Int, _ fill: T) {
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(fill, count: count - buffer.count))
        }
    }
}
