import CTurboJPEG

/// `CHEXPERT_DECODE_SCALE_AUTO`: decode a JPEG at the smallest TurboJPEG
/// scaling factor (DCT-domain scaling, 1/8 ... 1) whose image still covers
/// the output at 1:1 or more, then resample from it with the geometry mapped
/// onto the smaller image. The fit (cover, contain, stretch) is computed on
/// the full-size image first, so the output's region and padding are those of
/// a full decode; only the source window shrinks. docs/training.md states the
/// pixel difference from `.full`.
package enum DecodeScaling {
    /// TurboJPEG's scaling factors below 1 as (numerator, denominator),
    /// largest first.
    package static let factors: [(num: Int, denom: Int)] = {
        var count: Int32 = 0
        guard let table = tjGetScalingFactors(&count), count > 0 else { return [] }
        var result: [(num: Int, denom: Int)] = []
        for i in 0 ..< Int(count) {
            let num = Int(table[i].num), denom = Int(table[i].denom)
            if num > 0, denom > 0, num < denom { result.append((num, denom)) }
        }
        return result.sorted { $0.num * $1.denom > $1.num * $0.denom }
    }()

    /// TurboJPEG's `TJSCALED(dimension, factor)`.
    static func scaled(_ dimension: Int, _ factor: (num: Int, denom: Int)) -> Int {
        (dimension &* factor.num &+ factor.denom &- 1) / factor.denom
    }

    /// The shape to decode `source` at for `geometry` (computed on `source`),
    /// or nil for full size: the smallest factor whose scaled source window is
    /// at least the output region in both directions.
    static func shape(for source: ImageShape, geometry: FitGeometry) -> ImageShape? {
        var best: ImageShape?
        let windowW = Double(geometry.sourceX1 - geometry.sourceX0), windowH = Double(geometry.sourceY1 - geometry.sourceY0)
        for factor in factors {
            let w = scaled(source.width, factor), h = scaled(source.height, factor)
            guard w >= 1, h >= 1,
                  windowW * Double(w) / Double(source.width) >= Double(geometry.regionWidth),
                  windowH * Double(h) / Double(source.height) >= Double(geometry.regionHeight) else { break }
            best = ImageShape(height: h, width: w)
        }
        return best
    }
}

extension FitGeometry {
    /// The same geometry on `scaled`, a smaller decode of `source`: the source
    /// window scaled per axis by the ratio of the sides; the region unchanged.
    func mapped(from source: ImageShape, to scaled: ImageShape) -> FitGeometry {
        let sx = Double(scaled.width) / Double(source.width), sy = Double(scaled.height) / Double(source.height)
        var mapped = self
        mapped.sourceX0 = Float(Double(sourceX0) * sx)
        mapped.sourceX1 = Float(Double(sourceX1) * sx)
        mapped.sourceY0 = Float(Double(sourceY0) * sy)
        mapped.sourceY1 = Float(Double(sourceY1) * sy)
        return mapped
    }
}
