/// A soft-edged ellipse that brightens or darkens a radiograph, optionally
/// striped by curved bands (ribs, vertebrae). The drawing primitive of
/// `ChestImageSynthesizer`.
///
/// Bands: at pixel (x, y) the band phase is
/// `bandPhase + y * bandStep + (x - cx)^2 * bandCurvature` in units of 1/65536
/// of a profile entry; the profile has 256 entries per period.
struct RadiographShape {
    var cx: Double
    var cy: Double
    var rx: Double
    var ry: Double
    /// Width of the edge ramp in pixels (> 0).
    var soft: Double
    /// Grey levels added inside the shape (negative darkens).
    var delta: Int
    /// Grey levels added at a band's peak (0: no bands).
    var bandAmplitude = 0
    var bandStep = 0
    var bandCurvature = 0
    var bandPhase = 0

    /// Adds the shape's contribution to row `y`, whose accumulator is `row`.
    /// - Complexity: O(width of the shape on this row), a few integer
    ///   operations per pixel.
    func add(rowIndex y: Int, to row: UnsafeMutableBufferPointer<Int32>, profile: UnsafeBufferPointer<Int32>) {
        let dy = Double(y) - cy
        let distance = dy < 0 ? -dy : dy
        guard distance < ry, soft > 0 else { return }
        let ratio = dy / ry
        let halfWidth = rx * (1 - ratio * ratio).squareRoot()
        let fade = min(1, (ry - distance) / soft)
        let rowDelta = Int(Double(delta) * fade)
        let rowAmplitude = Int(Double(bandAmplitude) * fade)
        let outer = halfWidth + soft
        let lo = max(0, Int((cx - outer).rounded(.up)))
        let hi = min(row.count - 1, Int((cx + outer).rounded(.down)))
        guard lo <= hi else { return }
        let centerFixed = Int(cx * 256)
        let outerFixed = Int(outer * 256)
        let slope = Int(65536 / (2 * soft))
        let center = Int(cx.rounded())
        let rowPhase = bandPhase &+ y &* bandStep
        // Full weight where |x - cx| <= outer - 2 * soft: no ramp arithmetic there.
        let inner = outer - 2 * soft
        let innerLo = inner >= 0 ? max(lo, Int((cx - inner).rounded(.up))) : hi + 1
        let innerHi = inner >= 0 ? min(hi, Int((cx + inner).rounded(.down))) : hi
        guard let base = row.baseAddress, let table = profile.baseAddress, profile.count == 256 else { return }
        @inline(__always) func value(_ x: Int) -> Int {
            guard rowAmplitude != 0 else { return rowDelta }
            let dx = x - center
            return rowDelta + (rowAmplitude * Int(table[((rowPhase &+ dx &* dx &* bandCurvature) >> 16) & 255])) >> 8
        }
        @inline(__always) func ramp(_ x: Int) {
            let offset = (x << 8) - centerFixed
            let weight = min(256, ((outerFixed - (offset < 0 ? -offset : offset)) * slope) >> 16)
            if weight > 0 { base[x] &+= Int32(truncatingIfNeeded: (value(x) * weight) >> 8) }
        }
        var x = lo
        while x < min(innerLo, hi + 1) { ramp(x); x += 1 }
        if innerLo <= innerHi {
            if rowAmplitude == 0 {
                let delta = Int32(truncatingIfNeeded: rowDelta)
                for x in innerLo ... innerHi { base[x] &+= delta }
            } else {
                for x in innerLo ... innerHi { base[x] &+= Int32(truncatingIfNeeded: value(x)) }
            }
            x = innerHi + 1
        }
        while x <= hi { ramp(x); x += 1 }
    }
}
