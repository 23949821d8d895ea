import ChexpertCore

/// The anatomy of one synthetic radiograph: background and exposure gradient,
/// the ordered shapes, and the side marker. Built by `layout(_:...)` from the
/// image's random stream.
struct RadiographLayout {
    /// Grey level at the top-left corner, in 1/65536 grey levels.
    var baseFixed: Int
    /// Change per row and per column, in 1/65536 grey levels.
    var stepY: Int
    var stepX: Int
    var shapes: [RadiographShape]
    var marker: RadiographMarker

    /// Writes background plus gradient into `row` for row `y`.
    func fillBase(rowIndex y: Int, into row: UnsafeMutableBufferPointer<Int32>, height: Int) {
        var level = baseFixed + y * stepY
        for x in 0 ..< row.count {
            row[x] = Int32(truncatingIfNeeded: level >> 16)
            level += stepX
        }
    }
}

/// A bright "L" or "R" like block in a top corner, as burnt into real films.
struct RadiographMarker {
    var x0: Int
    var y0: Int
    /// Stroke width and letter size in pixels.
    var stroke: Int
    var letterWidth: Int
    var letterHeight: Int
    var level: Int32

    /// Adds the marker's pixels on row `y` (an "L": a vertical bar and a foot).
    func add(rowIndex y: Int, to row: UnsafeMutableBufferPointer<Int32>) {
        guard y >= y0, y < y0 + letterHeight else { return }
        let foot = y >= y0 + letterHeight - stroke
        let end = min(row.count, x0 + (foot ? letterWidth : stroke))
        var x = max(0, x0)
        while x < end {
            row[x] &+= level
            x += 1
        }
    }
}

extension ChestImageSynthesizer {
    /// Lays out a frontal or lateral chest for a `width` x `height` image.
    static func layout(_ view: SampleView, width: Int, height: Int, rng: inout SplitMix64) -> RadiographLayout {
        let w = Double(width), h = Double(height)
        func jitter(_ amount: Double) -> Double { (rng.unit() * 2 - 1) * amount }
        let background = rng.next(in: 8 ... 30)
        let gradientY = rng.next(in: -25 ... 15)
        let gradientX = rng.next(in: -12 ... 12)
        let bodyLevel = rng.next(in: 105 ... 145)
        let side = rng.chance(0.5) ? 1.0 : -1.0
        let cx = w * (0.5 + jitter(0.03))
        let ribPeriod = h / Double(rng.next(in: 10 ... 13))
        let ribStep = Int(256 * 65536 / ribPeriod)
        var shapes: [RadiographShape] = []

        switch view {
        case .frontal:
            shapes.append(RadiographShape(cx: cx, cy: h * (0.70 + jitter(0.04)), rx: w * (0.58 + jitter(0.03)),
                                          ry: h * 0.80, soft: w * 0.05, delta: bodyLevel))
            shapes.append(RadiographShape(cx: cx + w * jitter(0.03), cy: h * 1.02, rx: w * 0.55, ry: h * 0.30,
                                          soft: w * 0.08, delta: rng.next(in: 20 ... 40)))
            shapes.append(RadiographShape(cx: cx, cy: h * 0.32, rx: w * 0.075, ry: h * 0.42, soft: w * 0.03,
                                          delta: rng.next(in: 25 ... 40), bandAmplitude: 18,
                                          bandStep: Int(256 * 65536 / (h / 16)), bandCurvature: 0))
            let lungDelta = -rng.next(in: 70 ... 95)
            let ribAmplitude = rng.next(in: 30 ... 45)
            let lungY = h * (0.44 + jitter(0.03))
            let lungRY = h * (0.30 + jitter(0.02))
            let curvature = -Int(300 * 65536 / ((w * 0.2) * (w * 0.2)))
            for (offset, shrink) in [(-0.2, 1.0), (0.2, 0.92)] {
                shapes.append(RadiographShape(
                    cx: cx + w * (offset + jitter(0.015)), cy: lungY, rx: w * (0.15 + jitter(0.015)) * shrink,
                    ry: lungRY * shrink, soft: w * 0.035, delta: lungDelta, bandAmplitude: ribAmplitude,
                    bandStep: ribStep, bandCurvature: curvature, bandPhase: rng.next(below: 1 << 24)))
            }
            shapes.append(RadiographShape(cx: cx + w * 0.06, cy: h * 0.64, rx: w * (0.14 + rng.unit() * 0.07),
                                          ry: h * 0.13, soft: w * 0.05, delta: rng.next(in: 40 ... 60)))
            if rng.chance(0.4) {
                shapes.append(RadiographShape(cx: cx + w * jitter(0.03), cy: h * 0.3, rx: 2.5, ry: h * 0.3,
                                              soft: 1.5, delta: 70))
            }
        case .lateral:
            shapes.append(RadiographShape(cx: cx, cy: h * 0.62, rx: w * 0.48, ry: h * 0.8, soft: w * 0.04,
                                          delta: bodyLevel))
            shapes.append(RadiographShape(cx: cx - side * w * 0.05, cy: h * 0.08, rx: w * 0.35, ry: h * 0.14,
                                          soft: w * 0.06, delta: 30))
            shapes.append(RadiographShape(
                cx: cx + w * jitter(0.02), cy: h * (0.45 + jitter(0.03)), rx: w * (0.30 + jitter(0.02)),
                ry: h * 0.31, soft: w * 0.05, delta: -rng.next(in: 60 ... 80),
                bandAmplitude: rng.next(in: 15 ... 25), bandStep: ribStep,
                bandCurvature: -Int(40 * 65536 / ((w * 0.3) * (w * 0.3))), bandPhase: rng.next(below: 1 << 24)))
            shapes.append(RadiographShape(cx: cx - side * w * 0.14, cy: h * 0.62, rx: w * 0.17, ry: h * 0.15,
                                          soft: w * 0.05, delta: rng.next(in: 30 ... 45)))
            shapes.append(RadiographShape(cx: cx + side * w * 0.33, cy: h * 0.55, rx: w * 0.06, ry: h * 0.6,
                                          soft: w * 0.025, delta: 45, bandAmplitude: 30,
                                          bandStep: Int(256 * 65536 / (h / 14)), bandCurvature: 0))
        }

        let scale = max(1, min(width, height) / 160)
        let letterWidth = 6 * scale, letterHeight = 8 * scale
        let markerX = side > 0 ? width / 16 : width - width / 16 - letterWidth
        let marker = RadiographMarker(x0: markerX, y0: height / 16, stroke: 2 * scale, letterWidth: letterWidth,
                                      letterHeight: letterHeight, level: 170)
        return RadiographLayout(
            baseFixed: background << 16, stepY: (gradientY << 16) / max(1, height),
            stepX: (gradientX << 16) / max(1, width), shapes: shapes, marker: marker)
    }
}
