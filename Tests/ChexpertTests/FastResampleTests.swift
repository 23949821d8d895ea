import CResample
import Testing
@testable import ChexpertCore

/// CHEXPERT_RESAMPLE_FAST against EXACT at the resampler: random sources,
/// geometries of every fit, both filters, 1 and 3 channels; the stated bound
/// (0.002 levels, docs/training.md), and the same bits from the baseline
/// (SSE2) and AVX2 kernels.
@Suite struct FastResampleTests {
    static let bound: Float = 0.002

    /// Every region row of a resample, concatenated.
    static func rows(_ resampler: Resampler, _ pixels: [UInt8], _ shape: ImageShape, channels: Int,
                     _ geometry: FitGeometry, _ filter: ResampleFilter, _ arithmetic: ResizeSpec.Resample) throws -> [Float] {
        var out: [Float] = []
        let width = geometry.regionWidth * channels
        try pixels.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            try resampler.resample(base, source: shape, channels: channels, geometry: geometry, filter: filter,
                                   arithmetic: arithmetic, file: "random") { _, row in
                out.append(contentsOf: UnsafeBufferPointer(start: row, count: width))
            }
        }
        return out
    }

    @Test func fastIsWithinTheBoundOfExactAndTheSameOnEveryKernel() throws {
        var rng = SplitMix64(seed: 7)
        let resampler = Resampler()
        var worst: Float = 0
        for trial in 0 ..< 300 {
            let shape = ImageShape(height: Int(rng.next() % 300) + 1, width: Int(rng.next() % 300) + 1)
            let channels = trial % 3 == 0 ? 3 : 1
            var pixels = [UInt8](repeating: 0, count: shape.height * shape.width * channels)
            let edges = trial % 2 == 0
            for i in pixels.indices { pixels[i] = edges ? (rng.next() % 2 == 0 ? 0 : 255) : UInt8(truncatingIfNeeded: rng.next()) }
            let fit = ResizeSpec.Fit.allCases[trial % 3]
            let filter = ResampleFilter.allCases[(trial / 3) % 2]
            let geometry = FitGeometry(fit: fit, source: shape, height: Int(rng.next() % 250) + 1,
                                       width: Int(rng.next() % 250) + 1)
            let exact = try Self.rows(resampler, pixels, shape, channels: channels, geometry, filter, .exact)
            #expect(cxr_set_kernel_level(1) == 1)
            let baseline = try Self.rows(resampler, pixels, shape, channels: channels, geometry, filter, .fast)
            _ = cxr_set_kernel_level(0)
            let fast = try Self.rows(resampler, pixels, shape, channels: channels, geometry, filter, .fast)
            #expect(fast.count == exact.count)
            #expect(fast.elementsEqual(baseline, by: { $0.bitPattern == $1.bitPattern }),
                    "trial \(trial): baseline and \(cxr_kernel_level()) kernels differ")
            for (a, b) in zip(fast, exact) { worst = Swift.max(worst, Swift.abs(a - b)) }
        }
        #expect(worst <= Self.bound, "worst |fast - exact| \(worst)")
    }
}
