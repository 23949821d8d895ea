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
        sample(pixels, source: source, channels: channels, draw: draw, map: map, geometry: geometry,
               filter: spec.filter, fill: Float(augment.fill), into: values)
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
    private static let farAway = 1.0e9

    private static func sample(_ pixels: UnsafePointer<UInt8>, source: ImageShape, channels: Int, draw: AugmentDraw,
                               map: AffineTransform, geometry: FitGeometry, filter: ResampleFilter, fill: Float,
                               into out: UnsafeMutablePointer<Float>) {
        let rw = geometry.regionWidth, rh = geometry.regionHeight
        let count = rw * rh * channels
        guard let inverse = map.linearInverse else {
            out.update(repeating: fill, count: count)
            return
        }
        // Source pixels per output pixel along each output axis, and the
        // kernel's stretch r = max(1, 1 / that).
        let l0 = (map.a * map.a + map.d * map.d).squareRoot(), l1 = (map.b * map.b + map.e * map.e).squareRoot()
        let r0 = l0 >= 1 ? 1 : 1 / Swift.max(l0, 1e-9), r1 = l1 >= 1 ? 1 : 1 / Swift.max(l1, 1e-9)
        // Source offset -> kernel coordinates (output pixels / r).
        let g0a = inverse.a / r0, g0b = inverse.b / r0, g1a = inverse.d / r1, g1b = inverse.e / r1
        let support = filter.support
        let ex = support * (abs(map.a) * r0 + abs(map.b) * r1)
        let ey = support * (abs(map.d) * r0 + abs(map.e) * r1)
        guard ex.isFinite, ey.isFinite, ex < farAway, ey < farAway else {
            out.update(repeating: fill, count: count)
            return
        }
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
                    // Kernel coordinates at column i0; each column adds (g0a, g1a).
                    var u0 = g0a * dx0 + g0b * dy, u1 = g1a * dx0 + g1b * dy
                    // The columns where both lie inside the support.
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
                    // Rounded inwards (clamped to 0 ... span first: no overflow).
                    let t0 = ceil(Swift.max(first, 0)), t1 = floor(Swift.min(last, span))
                    guard t0 <= t1 else { continue }
                    first = Double(t0)
                    u0 += g0a * first
                    u1 += g1a * first
                    let insideRow = j >= y0 && j < y1
                    let row = insideRow ? pixels + j * stride : pixels
                    for i in (i0 + t0) ... (i0 + t1) {
                        let w: Double
                        if bilinear {
                            let a = 1 - abs(u0), b = 1 - abs(u1)
                            w = a > 0 && b > 0 ? a * b : 0
                        } else {
                            w = (u0 > -0.5 && u0 <= 0.5 && u1 > -0.5 && u1 <= 0.5) ? 1 : 0
                        }
                        u0 += g0a
                        u1 += g1a
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
