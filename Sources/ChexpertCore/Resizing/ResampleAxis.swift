/// The weights that resample one axis: for each output pixel, the first
/// source pixel, how many follow, and their weights. Computed as Pillow's
/// `precompute_coeffs` does (double precision, box edges as float32), so the
/// result matches `Image.resize(..., box=...)` on float images.
///
/// Its tables live in checked scratch memory (`ScratchBuffer`), reused from
/// image to image; `plan` gives their size before anything is allocated.
/// With `floats`, `prepare` also rounds the weights to Float for the fast
/// kernel. Preparing the same axis twice in a row (images of one size)
/// computes nothing the second time.
final class ResampleAxis {
    /// Per output pixel: first source pixel and source pixel count.
    private let firstStorage = ScratchBuffer()
    private let countStorage = ScratchBuffer()
    /// `kernelSize` weights per output pixel (unused tail is zero).
    private let weightStorage = ScratchBuffer()
    /// The weights as Float (`prepare(floats: true)`).
    private let floatWeightStorage = ScratchBuffer()
    private(set) var floatWeightPointer: UnsafeMutablePointer<Float>?
    /// The arguments of the last successful `prepare`.
    private var prepared: (sourceSize: Int, start: Float, end: Float, outputSize: Int, filter: ResampleFilter,
                           floats: Bool)?
    private(set) var firstPointer: UnsafeMutablePointer<Int>?
    private(set) var countPointer: UnsafeMutablePointer<Int>?
    private(set) var weightPointer: UnsafeMutablePointer<Double>?
    private(set) var kernelSize = 0
    private(set) var outputSize = 0
    /// Whether this axis maps the source onto itself one to one.
    private(set) var isIdentity = false

    /// The kernel size and table bytes of an axis, without allocating.
    struct Plan {
        var kernelSize: Int
        /// Bytes of the three tables; nil when the size overflows.
        var bytes: Int?
    }

    static func plan(start: Float, end: Float, outputSize: Int, filter: ResampleFilter) -> Plan {
        let scale = Double(end - start) / Double(outputSize)
        let filterScale = Swift.max(scale, 1.0)
        let support = filter.support * filterScale
        // Sources are at most 65535 pixels (a JPEG side), so this is far from
        // overflow; clamped anyway.
        let half = support.isFinite ? Swift.min(support.rounded(.up), 1e12) : 1e12
        let kernelSize = Int(half) * 2 + 1
        // Weights as Double and (for the fast kernel) as Float.
        let (perOutput, o1) = kernelSize.multipliedReportingOverflow(
            by: MemoryLayout<Double>.stride + MemoryLayout<Float>.stride)
        let (withIndices, o2) = perOutput.addingReportingOverflow(2 * MemoryLayout<Int>.stride)
        let (bytes, o3) = withIndices.multipliedReportingOverflow(by: outputSize)
        return Plan(kernelSize: kernelSize, bytes: o1 || o2 || o3 ? nil : bytes)
    }

    /// Recomputes the axis for a source window [start, end) of a source of
    /// `sourceSize` pixels onto `outputSize` pixels. Reuses storage.
    /// - Throws: `.noMemory`.
    func prepare(sourceSize: Int, start: Float, end: Float, outputSize: Int,
                 filter: ResampleFilter, floats: Bool = false) throws(ChexpertError) {
        if let last = prepared, last.sourceSize == sourceSize, last.start == start, last.end == end,
           last.outputSize == outputSize, last.filter == filter, last.floats || !floats {
            return
        }
        prepared = nil
        let scale = Double(end - start) / Double(outputSize)
        let filterScale = Swift.max(scale, 1.0)
        let support = filter.support * filterScale
        let kernelSize = Self.plan(start: start, end: end, outputSize: outputSize, filter: filter).kernelSize
        let first = try firstStorage.reserve(outputSize, of: Int.self, for: "the resampling tables")
        let count = try countStorage.reserve(outputSize, of: Int.self, for: "the resampling tables")
        let (cells, overflow) = outputSize.multipliedReportingOverflow(by: kernelSize)
        guard !overflow else { throw ChexpertError(.noMemory, "cannot allocate the resampling tables") }
        let weights = try weightStorage.reserve(cells, of: Double.self, for: "the resampling weights")
        firstPointer = first
        countPointer = count
        weightPointer = weights
        self.kernelSize = kernelSize
        self.outputSize = outputSize
        isIdentity = start == 0 && end == Float(sourceSize) && outputSize == sourceSize
        let inverse = 1.0 / filterScale
        let origin = Double(start)
        for out in 0 ..< outputSize {
            let center = origin + (Double(out) + 0.5) * scale
            let (low, taps) = Self.window(center: center, support: support, sourceSize: sourceSize,
                                          kernelSize: kernelSize)
            let base = weights + out &* kernelSize
            var total = 0.0
            for tap in 0 ..< taps {
                let w = filter.weight((Double(tap + low) - center + 0.5) * inverse)
                base[tap] = w
                total += w
            }
            if total != 0 {
                for tap in 0 ..< taps { base[tap] /= total }
            }
            for tap in taps ..< kernelSize { base[tap] = 0 }
            first[out] = low
            count[out] = taps
        }
        if floats {
            let single = try floatWeightStorage.reserve(cells, of: Float.self, for: "the resampling weights")
            for cell in 0 ..< cells { single[cell] = Float(weights[cell]) }
            floatWeightPointer = single
        }
        prepared = (sourceSize, start, end, outputSize, filter, floats)
    }

    /// Calls `body` with pointers to `first`, `count` and `weights` (valid
    /// only inside it) and `kernelSize`; not at all before `compute`.
    func withPointers(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Double>, Int) -> Void) {
        guard let firstPointer, let countPointer, let weightPointer else { return }
        body(firstPointer, countPointer, weightPointer, kernelSize)
    }

    // Unit-test conveniences (copies as arrays; never used on ABI paths).

    /// `prepare`, for tests: allocation failure is a precondition failure.
    func compute(sourceSize: Int, start: Float, end: Float, outputSize: Int, filter: ResampleFilter) {
        do throws(ChexpertError) {
            try prepare(sourceSize: sourceSize, start: start, end: end, outputSize: outputSize, filter: filter)
        } catch {
            preconditionFailure(error.message)
        }
    }

    var first: [Int] { Array(UnsafeBufferPointer(start: firstPointer, count: firstPointer == nil ? 0 : outputSize)) }
    var count: [Int] { Array(UnsafeBufferPointer(start: countPointer, count: countPointer == nil ? 0 : outputSize)) }
    var weights: [Double] {
        Array(UnsafeBufferPointer(start: weightPointer, count: weightPointer == nil ? 0 : outputSize * kernelSize))
    }

    /// The first source pixel when the window [start, end) of a source of
    /// `sourceSize` pixels maps one to one onto `outputSize` pixels (the
    /// scale `prepare` computes is exactly 1, `start` is a whole pixel, the
    /// window inside the source), else nil. Then, for area and bilinear,
    /// output pixel i's taps are source pixel start + i with weight 1.0 and
    /// at most one more with weight 0.0: centre start + i + 0.5, first tap
    /// trunc(centre - support + 0.5) = start + i, kernel values 1 at
    /// distance 0 and 0 at distance 1, and the normalising total 1.
    static func identityOffset(sourceSize: Int, start: Float, end: Float, outputSize: Int) -> Int? {
        guard outputSize > 0, start >= 0, start.rounded(.down) == start, start < Float(sourceSize),
              Double(end - start) / Double(outputSize) == 1.0 else { return nil }
        let first = Int(start)
        return first <= sourceSize - outputSize ? first : nil
    }

    /// The source rows (or columns) [first, end) that output pixels
    /// 0 ..< `outputSize` read, without allocating: what the first and last
    /// output pixel read (windows move monotonically).
    static func span(sourceSize: Int, start: Float, end: Float, outputSize: Int,
                     filter: ResampleFilter) -> (first: Int, end: Int) {
        guard outputSize > 0 else { return (0, 0) }
        let scale = Double(end - start) / Double(outputSize)
        let support = filter.support * Swift.max(scale, 1.0)
        let kernelSize = plan(start: start, end: end, outputSize: outputSize, filter: filter).kernelSize
        let origin = Double(start)
        let head = window(center: origin + 0.5 * scale, support: support, sourceSize: sourceSize, kernelSize: kernelSize)
        let tail = window(center: origin + (Double(outputSize - 1) + 0.5) * scale, support: support,
                          sourceSize: sourceSize, kernelSize: kernelSize)
        return (head.low, Swift.max(tail.low + tail.taps, head.low))
    }

    /// The first source pixel and tap count of the output pixel centred at `center`.
    @inline(__always)
    private static func window(center: Double, support: Double, sourceSize: Int,
                               kernelSize: Int) -> (low: Int, taps: Int) {
        let low = Swift.max(truncate(center - support + 0.5), 0)
        let high = Swift.min(truncate(center + support + 0.5), sourceSize)
        return (low, Swift.max(0, Swift.min(high - low, kernelSize)))
    }

    /// C's `(int)x` for the values Pillow truncates (toward zero), clamped to
    /// Int's range.
    private static func truncate(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        return Int(Swift.max(Swift.min(x, 1e15), -1e15).rounded(.towardZero))
    }
}
