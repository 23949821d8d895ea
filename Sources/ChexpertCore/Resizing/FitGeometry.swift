/// Where a source image lands in the output: the source window that is
/// resampled, and the output region it fills (the rest is padding).
struct FitGeometry: Equatable {
    /// Source window in continuous pixel coordinates, as Pillow's `box`.
    var sourceX0: Float, sourceY0: Float, sourceX1: Float, sourceY1: Float
    /// Output region filled by the window.
    var regionX: Int, regionY: Int, regionWidth: Int, regionHeight: Int

    /// The geometry of `fit` for a `source` image and an `height x width` output.
    init(fit: ResizeSpec.Fit, source: ImageShape, height: Int, width: Int) {
        let h = Double(source.height), w = Double(source.width)
        let oh = Double(height), ow = Double(width)
        switch fit {
        case .stretch:
            self.init(box: (0, 0, Float(w), Float(h)), region: (0, 0, width, height))
        case .cover:
            let scale = Swift.max(oh / h, ow / w)
            let boxW = ow / scale, boxH = oh / scale
            let x0 = (w - boxW) / 2, y0 = (h - boxH) / 2
            self.init(box: (Float(x0), Float(y0), Float(x0 + boxW), Float(y0 + boxH)), region: (0, 0, width, height))
        case .contain:
            let scale = Swift.min(oh / h, ow / w)
            let nh = Swift.min(Swift.max(Int((h * scale).rounded(.toNearestOrEven)), 1), height)
            let nw = Swift.min(Swift.max(Int((w * scale).rounded(.toNearestOrEven)), 1), width)
            self.init(box: (0, 0, Float(w), Float(h)), region: ((width - nw) / 2, (height - nh) / 2, nw, nh))
        }
    }

    private init(box: (Float, Float, Float, Float), region: (Int, Int, Int, Int)) {
        (sourceX0, sourceY0, sourceX1, sourceY1) = box
        (regionX, regionY, regionWidth, regionHeight) = region
    }
}
