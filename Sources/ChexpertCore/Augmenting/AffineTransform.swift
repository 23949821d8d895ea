import Glibc

/// A 2-D affine map in continuous pixel coordinates (a pixel's centre is
/// its index + 0.5): x' = a x + b y + c, y' = d x + e y + f.
struct AffineTransform: Equatable {
    var a: Double, b: Double, c: Double
    var d: Double, e: Double, f: Double

    static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    /// The map applied to (x, y).
    @inline(__always)
    func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// `self` after `first`: p -> self(first(p)).
    func after(_ first: AffineTransform) -> AffineTransform {
        AffineTransform(a: a * first.a + b * first.d, b: a * first.b + b * first.e, c: a * first.c + b * first.f + c,
                        d: d * first.a + e * first.d, e: d * first.b + e * first.e, f: d * first.c + e * first.f + f)
    }

    /// The inverse of the linear part (nil when singular).
    var linearInverse: (a: Double, b: Double, d: Double, e: Double)? {
        let det = a * e - b * d
        guard det != 0, det.isFinite else { return nil }
        return (e / det, -b / det, -d / det, a / det)
    }

    /// torchvision's inverse affine (`_get_inverse_affine_matrix` with the
    /// centre at the image centre, as `affine_image` on tensors): maps a
    /// point of the affine's output to the point of its input it shows, both
    /// in an image of `width x height` continuous coordinates.
    /// - Parameters: as torchvision `affine`: degrees, pixels, factor, degrees.
    static func torchvisionInverse(width: Double, height: Double, angle: Double, translateX: Double,
                                   translateY: Double, scale: Double, shearX: Double,
                                   shearY: Double) -> AffineTransform {
        let rot = angle * .pi / 180, sx = shearX * .pi / 180, sy = shearY * .pi / 180
        let a = cos(rot - sy) / cos(sy)
        let b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot)
        let c = sin(rot - sy) / cos(sy)
        let d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot)
        // Inverse rotation-scale-shear (its determinant is 1), then the
        // translation, all about the image centre.
        var m = AffineTransform(a: d / scale, b: -b / scale, c: 0, d: -c / scale, e: a / scale, f: 0)
        m.c = m.a * -translateX + m.b * -translateY
        m.f = m.d * -translateX + m.e * -translateY
        let toCentre = AffineTransform(a: 1, b: 0, c: -width / 2, d: 0, e: 1, f: -height / 2)
        let fromCentre = AffineTransform(a: 1, b: 0, c: width / 2, d: 0, e: 1, f: height / 2)
        return fromCentre.after(m.after(toCentre))
    }
}
