/// Pillow's resampling filters (`Image.BOX`, `Image.BILINEAR`): kernel and
/// support. The C API's `chexpert_filter` constants map to it in ChexpertABI.
package enum ResampleFilter: Sendable, CaseIterable {
    /// Area averaging: a box of width 1 (scaled by the reduction factor).
    case area
    /// Triangle of half-width 1 (scaled by the reduction factor).
    case bilinear

    var support: Double {
        switch self {
        case .area: 0.5
        case .bilinear: 1.0
        }
    }

    /// The kernel at `x`, exactly as Pillow's `box_filter` / `bilinear_filter`.
    func weight(_ x: Double) -> Double {
        switch self {
        case .area: return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0
        case .bilinear:
            let distance = x < 0 ? -x : x
            return distance < 1.0 ? 1.0 - distance : 0.0
        }
    }
}
