import ChexpertCore
extension SampleImage {
    /// Chooses the size, quality and encoding of the image of row `row` of
    /// `split` from its own random stream `seed` (so image options never shift
    /// the CSV content), applying `SamplePlan`'s image coverage guarantee.
    ///
    /// Sizes without `uniformSize`: 390 x 320 (H x W) 70 %, portrait
    /// 321...420 x 320 15 %, landscape 320 x 321...420 10 %, 320 x 320 5 %.
    static func planned(
        row: Int, split: SampleSplit, view: SampleView, spec: SampleSpec, seed: UInt64
    ) -> SampleImage {
        var rng = SplitMix64(seed: seed)
        let shapeDraw = rng.unit()
        let longSide = rng.next(in: 321 ... 420)
        let quality = rng.next(in: spec.quality)
        let progressiveDraw = rng.unit()
        let colorDraw = rng.unit()
        let colorPick: SampleColorEncoding = rng.chance(0.5) ? .ycbcr420 : .ycbcr444
        let contentSeed = rng.next()

        let (height, width): (Int, Int)
        if let size = spec.uniformSize {
            (height, width) = size
        } else if spec.fullSize {
            (height, width) = shapeDraw < 0.80 ? (2828, 2320) : (1751, 2022)
        } else if shapeDraw < 0.70 {
            (height, width) = (390, 320)
        } else if shapeDraw < 0.85 {
            (height, width) = (longSide, 320)
        } else if shapeDraw < 0.95 {
            (height, width) = (320, longSide)
        } else {
            (height, width) = (320, 320)
        }

        let fixedRow = split == .train ? row : -1
        var progressive = progressiveDraw < spec.progressiveFraction
        if spec.progressiveFraction > 0, spec.progressiveFraction < 1, fixedRow == 0 || fixedRow == 1 {
            progressive = fixedRow == 1
        }
        var encoding: SampleColorEncoding = colorDraw < spec.colorFraction ? colorPick : .gray
        if spec.colorFraction > 0, (0 ... 3).contains(fixedRow) {
            switch fixedRow {
            case 2: encoding = .ycbcr420
            case 3: encoding = .ycbcr444
            default: if spec.colorFraction < 1 { encoding = .gray }
            }
        }
        return SampleImage(height: height, width: width, quality: quality, progressive: progressive,
                           encoding: encoding, view: view, seed: contentSeed)
    }
}
