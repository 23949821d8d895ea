import CResample
import Glibc

/// The augmented resize: one antialiased resample from the source through
/// the composed map (crop -> affine -> fit to the output -> flip), then the
/// intensity jitter, then the writer's normalisation, element type and layout.
///
/// The map from an output pixel to the source is one affine transform `A`,
/// so its local scale is the same everywhere. Each output pixel is a
/// normalised weighted sum over the source pixels under a separable kernel
/// (the spec's filter: a triangle for BILINEAR, a box for AREA) laid along
/// the output's axes and measured in output pixels, each axis stretched by
/// max(1, 1 / (source pixels per output pixel along it)): downscaling along
/// an axis averages over the output pixel's whole footprint, as an
/// antialiased resize does; upscaling interpolates between source pixels.
/// For an axis-aligned map this is Pillow's separable resample up to
/// rounding. Source pixels outside the crop (or the image) count as the
/// fill value, as torchvision's `affine` with `fill`.
///
/// - Complexity: per output pixel, the source pixels in the bounding box of
///   its footprint: about (2 s_x + 2)(2 s_y + 2) for s source pixels per
///   output pixel.
enum AugmentWarp {
    /// Renders one example.
    /// - Parameters:
    ///   - pixels: `source.height x source.width x channels` bytes.
    ///   - index: the example's index in its split (for `AugmentDraw`).
    /// - Throws: `.limit` (the output buffer over `Resampler.maxScratchBytes`),
    ///   `.noMemory`.
    static func render(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, index: Int64,
                       spec: ResizeSpec, augment: AugmentParams, writer: ResizedWriter,
                       to example: UnsafeMutableRawPointer, file: @autoclosure () -> String) throws(ChexpertError) {
        let draw = AugmentDraw(augment, index: index, sourceWidth: source.width, sourceHeight: source.height)
        let crop = ImageShape(height: draw.cropHeight, width: draw.cropWidth)
        let geometry = FitGeometry(fit: spec.fit, source: crop, height: spec.height, width: spec.width)
        let rw = geometry.regionWidth, rh = geometry.regionHeight
        // <= 65535^2 * 3 * 4: no overflow on 64 bits.
        let bytes = rw * rh * channels * MemoryLayout<Float>.stride
        guard bytes <= Resampler.maxScratchBytes else {
            throw ChexpertError(.limit, "\(file()): augmenting to \(rh)x\(rw) needs \(bytes) bytes of scratch memory, over the limit of \(Resampler.maxScratchBytes) bytes (CHEXPERT_MAX_SCRATCH_BYTES)")
        }
        let scratch = ScratchBuffer()
        let values = try scratch.reserve(rw * rh * channels, of: Float.self, for: "the augmented pixels of \(file())")
        let map = outputToSource(draw, geometry: geometry)
        let fill = Float(augment.fill)
        if spec.resample == .exact || !sampleFast(pixels, source: source, channels: channels, draw: draw, map: map,
                                                  geometry: geometry, filter: spec.filter, fill: fill, into: values) {
            sample(pixels, source: source, channels: channels, draw: draw, map: map, geometry: geometry,
                   filter: spec.filter, fill: fill, into: values)
        }
        jitter(values, count: rw * rh, channels: channels, draw: draw)
        writer.writePadding(geometry, to: example)
        for ry in 0 ..< rh {
            writer.writeRegionRow(ry, values + ry * rw * channels, sourceChannels: channels, geometry, to: example)
        }
    }

    /// The composed map from output coordinates to source coordinates.
    static func outputToSource(_ draw: AugmentDraw, geometry: FitGeometry) -> AffineTransform {
        let rx = Double(geometry.regionX), ry = Double(geometry.regionY)
        let rw = Double(geometry.regionWidth), rh = Double(geometry.regionHeight)
        // Mirror inside the region.
        let flip = draw.flip ? AffineTransform(a: -1, b: 0, c: 2 * rx + rw, d: 0, e: 1, f: 0) : .identity
        let kx = (Double(geometry.sourceX1) - Double(geometry.sourceX0)) / rw
        let ky = (Double(geometry.sourceY1) - Double(geometry.sourceY0)) / rh
        let fit = AffineTransform(a: kx, b: 0, c: Double(geometry.sourceX0) - rx * kx,
                                  d: 0, e: ky, f: Double(geometry.sourceY0) - ry * ky)
        let affine = AffineTransform.torchvisionInverse(
            width: Double(draw.cropWidth), height: Double(draw.cropHeight), angle: draw.angle,
            translateX: draw.translateX, translateY: draw.translateY, scale: draw.scale,
            shearX: draw.shearX, shearY: draw.shearY)
        let crop = AffineTransform(a: 1, b: 0, c: Double(draw.cropLeft), d: 0, e: 1, f: Double(draw.cropTop))
        return crop.after(affine.after(fit.after(flip)))
    }

    /// floor and ceil of a value of magnitude below `farAway`, without a
    /// libm call (Swift's `rounded` is one on baseline x86-64).
    @inline(__always) private static func floor(_ x: Double) -> Int {
        let t = Int(x)
        return Double(t) > x ? t - 1 : t
    }

    @inline(__always) private static func ceil(_ x: Double) -> Int {
        let t = Int(x)
        return Double(t) < x ? t + 1 : t
    }

    /// Largest coordinate magnitude sampled; beyond it an output pixel is
    /// the fill value (and conversions to Int cannot trap).
    private static let farAway = CXR_WARP_FAR

    /// The kernel's frame for `map`: source offset -> kernel coordinates
    /// (u0, u1) = (g0a dx + g0b dy, g1a dx + g1b dy), and the half-extent of
    /// a footprint's bounding box in source pixels. nil for a singular map
    /// or a footprint reaching `farAway` (every output pixel is the fill).
    private static func kernelFrame(_ map: AffineTransform, filter: ResampleFilter)
        -> (g0a: Double, g0b: Double, g1a: Double, g1b: Double, ex: Double, ey: Double)? {
        guard let inverse = map.linearInverse else { return nil }
        // Source pixels per output pixel along each output axis, and the
        // kernel's stretch r = max(1, 1 / that).
        let l0 = (map.a * map.a + map.d * map.d).squareRoot(), l1 = (map.b * map.b + map.e * map.e).squareRoot()
        let r0 = l0 >= 1 ? 1 : 1 / Swift.max(l0, 1e-9), r1 = l1 >= 1 ? 1 : 1 / Swift.max(l1, 1e-9)
        // Source offset -> kernel coordinates (output pixels / r).
        let support = filter.support
        let ex = support * (abs(map.a) * r0 + abs(map.b) * r1)
        let ey = support * (abs(map.d) * r0 + abs(map.e) * r1)
        guard ex.isFinite, ey.isFinite, ex < farAway, ey < farAway else { return nil }
        return (inverse.a / r0, inverse.b / r0, inverse.d / r1, inverse.e / r1, ex, ey)
    }

    /// `CHEXPERT_RESAMPLE_FAST`: the same sums in float32 by the C kernel
    /// (`cxr_warp_row`, SIMD over 8 taps of a source row; kernel
    /// coordinates relative to each pixel's centre, so large source
    /// coordinates lose no precision). docs/augmentation.md states its
    /// largest difference from `sample` (the Double `.exact` path), which
    /// `Tests/python/test_augment.py` checks.
    /// - Returns: false, having written nothing, when the frame's
    ///   coordinates do not fit float32 or the crop is not inside the
    ///   source: the caller renders `.exact`.
    private static func sampleFast(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, draw: AugmentDraw,
                                   map: AffineTransform, geometry: FitGeometry, filter: ResampleFilter, fill: Float,
                                   into out: UnsafeMutablePointer<Float>) -> Bool {
        let rw = geometry.regionWidth, rh = geometry.regionHeight
        guard let frame = kernelFrame(map, filter: filter) else {
            out.update(repeating: fill, count: rw * rh * channels)
            return true
        }
        let g0a = frame.g0a, g0b = frame.g0b, g1a = frame.g1a, g1b = frame.g1b
        // (Tiny nonzero g0a, g1a: the clipping's reciprocals would overflow.)
        guard Float(g0a).isFinite, Float(g0b).isFinite, Float(g1a).isFinite, Float(g1b).isFinite,
              g0a == 0 || g0a.magnitude >= 1e-30, g1a == 0 || g1a.magnitude >= 1e-30,
              channels == 1 || channels == 3,
              draw.cropLeft >= 0, draw.cropTop >= 0, draw.cropWidth >= 0, draw.cropHeight >= 0,
              draw.cropLeft <= source.width - draw.cropWidth, draw.cropTop <= source.height - draw.cropHeight
        else { return false }
        var warp = cxr_warp(
            source: pixels, width: source.width, height: source.height, channels: channels,
            x0: draw.cropLeft, y0: draw.cropTop, x1: draw.cropLeft + draw.cropWidth, y1: draw.cropTop + draw.cropHeight,
            a: map.a, b: map.b, c: map.c, d: map.d, e: map.e, f: map.f, g0a: g0a, g0b: g0b, g1a: g1a, g1b: g1b,
            ex: frame.ex, ey: frame.ey, bilinear: filter == .bilinear ? 1 : 0, fill: fill,
            region_x: geometry.regionX, region_y: geometry.regionY, region_width: rw)
        for y in 0 ..< rh {
            cxr_warp_row(&warp, y, out + y * rw * channels)
        }
        return true
    }

    private static func sample(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, draw: AugmentDraw,
                               map: AffineTransform, geometry: FitGeometry, filter: ResampleFilter, fill: Float,
                               into out: UnsafeMutablePointer<Float>) {
        let rw = geometry.regionWidth, rh = geometry.regionHeight
        let count = rw * rh * channels
        guard let (g0a, g0b, g1a, g1b, ex, ey) = kernelFrame(map, filter: filter) else {
            out.update(repeating: fill, count: count)
            return
        }
        let support = filter.support
        let x0 = draw.cropLeft, x1 = draw.cropLeft + draw.cropWidth
        let y0 = draw.cropTop, y1 = draw.cropTop + draw.cropHeight
        let stride = source.width * channels
        let bilinear = filter == .bilinear
        let fillValue = Double(fill)
        // Reciprocals, so that the per-row clipping multiplies.
        let inverse0 = g0a == 0 ? 0 : 1 / g0a, inverse1 = g1a == 0 ? 0 : 1 / g1a
        for y in 0 ..< rh {
            let oy = Double(geometry.regionY + y) + 0.5
            for x in 0 ..< rw {
                let ox = Double(geometry.regionX + x) + 0.5
                let centre = map.apply(ox, oy)
                let target = out + (y * rw + x) * channels
                guard abs(centre.x) < farAway, abs(centre.y) < farAway else {
                    for c in 0 ..< channels { target[c] = fill }
                    continue
                }
                let i0 = floor(centre.x - ex - 0.5), i1 = ceil(centre.x + ex - 0.5)
                let j0 = floor(centre.y - ey - 0.5), j1 = ceil(centre.y + ey - 0.5)
                let span = Double(i1 - i0)   // i0 ... i1 bounded by farAway: no overflow
                var total = 0.0, s0 = 0.0, s1 = 0.0, s2 = 0.0
                let dx0 = Double(i0) + 0.5 - centre.x
                for j in j0 ... j1 {
                    let dy = Double(j) + 0.5 - centre.y
                    // Kernel coordinates at column i0 + t: (u0row + g0a t, u1row + g1a t), each
                    // computed in that order (the fast path's box test evaluates the same expressions).
                    let u0 = g0a * dx0 + g0b * dy, u1 = g1a * dx0 + g1b * dy
                    // The columns where both lie inside the support, widened by one (the
                    // kernel decides; this is only a bound).
                    var first = 0.0, last = span
                    if g0a == 0 {
                        if !(abs(u0) <= support) { continue }
                    } else {
                        let a = (-support - u0) * inverse0, b = (support - u0) * inverse0
                        first = Swift.max(first, a < b ? a : b)
                        last = Swift.min(last, a < b ? b : a)
                    }
                    if g1a == 0 {
                        if !(abs(u1) <= support) { continue }
                    } else {
                        let a = (-support - u1) * inverse1, b = (support - u1) * inverse1
                        first = Swift.max(first, a < b ? a : b)
                        last = Swift.min(last, a < b ? b : a)
                    }
                    guard first <= last + 2 else { continue }   // also NaN
                    // Clamped to 0 ... span first: no overflow.
                    let t0 = Swift.max(floor(Swift.min(first, span)) - 1, 0)
                    let t1 = Swift.min(ceil(Swift.max(last, 0)) + 1, i1 - i0)
                    guard t0 <= t1 else { continue }
                    let insideRow = j >= y0 && j < y1
                    let row = insideRow ? pixels + j * stride : pixels
                    for i in (i0 + t0) ... (i0 + t1) {
                        let t = Double(i - i0)
                        let c0 = u0 + g0a * t, c1 = u1 + g1a * t
                        let w: Double
                        if bilinear {
                            let a = 1 - abs(c0), b = 1 - abs(c1)
                            w = a > 0 && b > 0 ? a * b : 0
                        } else {
                            w = (c0 > -0.5 && c0 <= 0.5 && c1 > -0.5 && c1 <= 0.5) ? 1 : 0
                        }
                        if w == 0 { continue }
                        total += w
                        if insideRow && i >= x0 && i < x1 {
                            let p = row + i * channels
                            s0 += w * Double(p[0])
                            if channels == 3 {
                                s1 += w * Double(p[1])
                                s2 += w * Double(p[2])
                            }
                        } else {
                            s0 += w * fillValue
                            s1 += w * fillValue
                            s2 += w * fillValue
                        }
                    }
                }
                if total > 0 {
                    target[0] = Float(s0 / total)
                    if channels == 3 {
                        target[1] = Float(s1 / total)
                        target[2] = Float(s2 / total)
                    }
                } else {
                    // No tap under the kernel (a degenerate footprint): the
                    // nearest source pixel.
                    let i = Int(centre.x.rounded(.down)), j = Int(centre.y.rounded(.down))
                    let inside = i >= x0 && i < x1 && j >= y0 && j < y1
                    for c in 0 ..< channels { target[c] = inside ? Float(pixels[j * stride + i * channels + c]) : fill }
                }
            }
        }
    }

    /// Brightness, contrast (about the region's grey mean), gamma, in that
    /// order, as torchvision's `adjust_*` on 0 ... 255 values, clamped.
    private static func jitter(_ values: UnsafeMutablePointer<Float>, count: Int, channels: Int, draw: AugmentDraw) {
        let n = count * channels
        func clamp(_ v: Float) -> Float { v >= 0 ? (v <= 255 ? v : 255) : 0 }
        if draw.brightness != 1 {
            let b = Float(draw.brightness)
            for k in 0 ..< n { values[k] = clamp(values[k] * b) }
        }
        if draw.contrast != 1, count > 0 {
            var sum = 0.0
            if channels == 1 {
                for k in 0 ..< count { sum += Double(values[k]) }
            } else {
                for k in 0 ..< count {
                    let p = values + k * channels
                    sum += 0.2989 * Double(p[0]) + 0.587 * Double(p[1]) + 0.114 * Double(p[2])
                }
            }
            let f = Float(draw.contrast), mean = Float(sum / Double(count))
            let offset = (1 - f) * mean
            for k in 0 ..< n { values[k] = clamp(f * values[k] + offset) }
        }
        if draw.gamma != 1 {
            let g = Float(draw.gamma)
            for k in 0 ..< n { values[k] = clamp(255 * powf(values[k] / 255, g)) }
        }
    }
}
