/// The weights that resample one axis: for each output pixel, the first
/// source pixel, how many follow, and their weights. Computed as Pillow's
/// `precompute_coeffs` does (double precision, box edges as float32), so the
/// result matches `Image.resize(..., box=...)` on float images.
struct ResampleAxis {
    /// Per output pixel: first source pixel and source pixel count.
    private(set) var first: [Int] = []
    private(set) var count: [Int] = []
    /// `kernelSize` weights per output pixel (unused tail is zero).
    private(set) var weights: [Double] = []
    private(set) var kernelSize = 0
    /// Whether this axis maps the source onto itself one to one.
    private(set) var isIdentity = false

    /// Recomputes the axis for a source window [start, end) of a source of
    /// `sourceSize` pixels onto `outputSize` pixels. Reuses storage.
    mutating func compute(sourceSize: Int, start: Float, end: Float, outputSize: Int, filter: ResampleFilter) {
        isIdentity = start == 0 && end == Float(sourceSize) && outputSize == sourceSize
        let scale = Double(end - start) / Double(outputSize)
        let filterScale = Swift.max(scale, 1.0)
        let support = filter.support * filterScale
        kernelSize = Int(support.rounded(.up)) * 2 + 1
        first.removeAll(keepingCapacity: true)
        count.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        weights.reserveCapacity(outputSize * kernelSize)
        let inverse = 1.0 / filterScale
        let origin = Double(start)
        for out in 0 ..< outputSize {
            let center = origin + (Double(out) + 0.5) * scale
            let low = Swift.max(Self.truncate(center - support + 0.5), 0)
            let high = Swift.min(Self.truncate(center + support + 0.5), sourceSize)
            let taps = Swift.max(0, Swift.min(high - low, kernelSize))
            let base = weights.count
            var total = 0.0
            for tap in 0 ..< taps {
                let w = filter.weight((Double(tap + low) - center + 0.5) * inverse)
                weights.append(w)
                total += w
            }
            if total != 0 {
                for tap in 0 ..< taps { weights[base + tap] /= total }
            }
            for _ in taps ..< kernelSize { weights.append(0) }
            first.append(low)
            count.append(taps)
        }
    }

    /// Calls `body` with pointers to `first`, `count` and `weights` (valid
    /// only inside it) and `kernelSize`.
    func withPointers(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Double>, Int) -> Void) {
        first.withUnsafeBufferPointer { first in
            count.withUnsafeBufferPointer { count in
                weights.withUnsafeBufferPointer { weights in
                    guard let f = first.baseAddress, let c = count.baseAddress, let w = weights.baseAddress else { return }
                    body(f, c, w, kernelSize)
                }
            }
        }
    }

    /// C's `(int)x` for the values Pillow truncates (toward zero), clamped to
    /// Int's range.
    private static func truncate(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        return Int(Swift.max(Swift.min(x, 1e15), -1e15).rounded(.towardZero))
    }
}
