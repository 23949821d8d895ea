import Glibc

/// The parameters drawn for one example: a pure function of
/// (`AugmentParams.seed`, `.epoch`, the example's index in its split) and
/// the source's size, computed with the pinned `SplitMix64`, so any worker
/// count, rank count or resume gives the same pixels. C:
/// `chexpert_augment_draw` (the `values` record).
///
/// Streams: the example's seed is
/// derive(derive(derive(seed, "AUGMENT"), epoch), index); the crop, the
/// affine, the flip and the intensity factors each draw from their own
/// generator, seeded derive(example seed, 1 ... 4), so changing one range
/// never changes another component's draw. Uniform draws are
/// `lo + (hi - lo) * unit()`; the crop and the affine follow torchvision's
/// `RandomResizedCrop.get_params` and `RandomAffine.get_params` step by step
/// (Python's round-half-even, the 10-attempt fallback to a centre crop).
package struct AugmentDraw: Sendable, Equatable {
    /// The crop in source pixels: rows top ..< top + height, columns
    /// left ..< left + width.
    package var cropTop: Int, cropLeft: Int, cropHeight: Int, cropWidth: Int
    /// torchvision `affine` arguments in the crop's frame: degrees, whole
    /// pixels, factor, degrees.
    package var angle: Double, translateX: Double, translateY: Double, scale: Double
    package var shearX: Double, shearY: Double
    package var flip: Bool
    package var brightness: Double, contrast: Double, gamma: Double

    /// Number of `values` (`CHEXPERT_NUM_AUGMENT_VALUES`).
    package static let valueCount = 14

    /// "AUGMENT" in ASCII: keeps these streams apart from the epoch order's.
    private static let domain: UInt64 = 0x41_5547_4D45_4E54

    /// - Parameters:
    ///   - index: the example's index in its split.
    ///   - sourceWidth, sourceHeight: the decoded (or cached) image, >= 1.
    package init(_ params: AugmentParams, index: Int64, sourceWidth: Int, sourceHeight: Int) {
        let example = SplitMix64.derive(SplitMix64.derive(SplitMix64.derive(params.seed, Self.domain), params.epoch),
                                        UInt64(bitPattern: index))
        func stream(_ k: UInt64) -> SplitMix64 { SplitMix64(seed: SplitMix64.derive(example, k)) }
        func uniform(_ g: inout SplitMix64, _ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * g.unit()
        }

        var crop = stream(1)
        let width = Swift.max(sourceWidth, 1), height = Swift.max(sourceHeight, 1)
        if let scale = params.cropScale {
            (cropTop, cropLeft, cropHeight, cropWidth) = Self.resizedCrop(&crop, width: width, height: height,
                                                                          scale: scale, ratio: params.cropRatio)
        } else {
            (cropTop, cropLeft, cropHeight, cropWidth) = (0, 0, height, width)
        }

        var affine = stream(2)
        angle = uniform(&affine, params.rotate)
        let maxDX = params.translateX * Double(cropWidth), maxDY = params.translateY * Double(cropHeight)
        translateX = uniform(&affine, -maxDX ... maxDX).rounded(.toNearestOrEven)
        translateY = uniform(&affine, -maxDY ... maxDY).rounded(.toNearestOrEven)
        scale = uniform(&affine, params.scale)
        shearX = uniform(&affine, params.shearX)
        shearY = uniform(&affine, params.shearY)

        var flipStream = stream(3)
        flip = flipStream.chance(params.hflip)

        var colour = stream(4)
        brightness = uniform(&colour, params.brightness)
        contrast = uniform(&colour, params.contrast)
        gamma = uniform(&colour, params.gamma)
    }

    /// torchvision `RandomResizedCrop.get_params` with our generator:
    /// (top, left, height, width).
    private static func resizedCrop(_ g: inout SplitMix64, width: Int, height: Int, scale: ClosedRange<Double>,
                                    ratio: ClosedRange<Double>) -> (Int, Int, Int, Int) {
        let area = Double(width) * Double(height)
        let logLow = log(ratio.lowerBound), logHigh = log(ratio.upperBound)
        for _ in 0 ..< 10 {
            let target = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * g.unit())
            let aspect = exp(logLow + (logHigh - logLow) * g.unit())
            // Both are at most sqrt(area * ratio) with validated ranges: no overflow.
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0, w <= width, h > 0, h <= height {
                let top = Int(g.next(uniformBelow: UInt64(height - h + 1)))
                let left = Int(g.next(uniformBelow: UInt64(width - w + 1)))
                return (top, left, h, w)
            }
        }
        // Fallback: a centre crop at the nearest allowed aspect ratio.
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = Swift.min(Swift.max(Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven)), 1), height)
        } else if inRatio > ratio.upperBound {
            w = Swift.min(Swift.max(Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven)), 1), width)
        }
        return ((height - h) / 2, (width - w) / 2, h, w)
    }

    /// The C record, in order: crop top, left, height, width; angle,
    /// translate x, y, scale, shear x, y; flip (0 or 1); brightness,
    /// contrast, gamma.
    package var values: [Double] {
        [Double(cropTop), Double(cropLeft), Double(cropHeight), Double(cropWidth),
         angle, translateX, translateY, scale, shearX, shearY, flip ? 1 : 0, brightness, contrast, gamma]
    }
}
