/// Writes one example's resampled region into the caller's batch buffer:
/// padding, channel replication, intensity mapping, element type and layout.
struct ResizedWriter {
    let spec: ResizeSpec
    /// out = v * scale[c] + offset[c] == (v / 255 - mean[c]) / std[c]; for
    /// `.none` exactly v.
    private let scale: [Float]
    private let offset: [Float]

    init(spec: ResizeSpec) {
        self.spec = spec
        scale = spec.scale
        offset = spec.offset
    }

    /// Writes the output elements outside `geometry`'s region (the padding
    /// of `.contain`; nothing for the other fits) of the example at
    /// `destination`.
    func writePadding(_ geometry: FitGeometry, to destination: UnsafeMutableRawPointer) {
        switch spec.elementType {
        case .float32: writePadding(geometry, destination.assumingMemoryBound(to: Float.self))
        case .uint8: writePadding(geometry, destination.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Writes a whole example as a source of zeros (black, then mapped like
    /// any pixel): a substituted example.
    func writeZero(to destination: UnsafeMutableRawPointer) {
        for c in 0 ..< spec.channels {
            for y in 0 ..< spec.height {
                for x in 0 ..< spec.width {
                    switch spec.elementType {
                    case .float32: destination.assumingMemoryBound(to: Float.self)[index(y, x, c)] = offset[c]
                    case .uint8: destination.assumingMemoryBound(to: UInt8.self)[index(y, x, c)] = 0
                    }
                }
            }
        }
    }

    /// Writes region row `ry` (`regionWidth x sourceChannels` values; one
    /// channel fills every output channel) of the example at `destination`.
    func writeRegionRow(_ ry: Int, _ values: UnsafePointer<Float>, sourceChannels: Int, _ geometry: FitGeometry,
                        to destination: UnsafeMutableRawPointer) {
        switch spec.elementType {
        case .float32:
            let out = destination.assumingMemoryBound(to: Float.self)
            if sourceChannels == 1 && spec.channels == 3 {
                writeGreyRow(ry, values, geometry, out)
            } else {
                writeRegionRow(ry, values, sourceChannels, geometry, out)
            }
        case .uint8:
            writeRegionRow(ry, values, sourceChannels, geometry, destination.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Index of output element (y, x, c).
    @inline(__always)
    private func index(_ y: Int, _ x: Int, _ c: Int) -> Int {
        spec.layout == .nhwc
            ? (y &* spec.width &+ x) &* spec.channels &+ c
            : (c &* spec.height &+ y) &* spec.width &+ x
    }

    private func writePadding<T: ResizedElement>(_ geometry: FitGeometry, _ out: UnsafeMutablePointer<T>) {
        let x0 = geometry.regionX, x1 = geometry.regionX &+ geometry.regionWidth
        let y0 = geometry.regionY, y1 = geometry.regionY &+ geometry.regionHeight
        guard x0 > 0 || y0 > 0 || x1 < spec.width || y1 < spec.height else { return }
        for c in 0 ..< spec.channels {
            let pad = T(mapping: 0, scale: scale[c], offset: offset[c])
            for y in 0 ..< spec.height {
                let inside = y >= y0 && y < y1
                for x in 0 ..< spec.width where !inside || x < x0 || x >= x1 {
                    out[index(y, x, c)] = pad
                }
            }
        }
    }

    /// `writeRegionRow` for grey into 3 float channels, the CheXpert
    /// training case, in one pass: each value loaded once, mapped with each
    /// channel's scale and offset (the same multiply then add, never fused,
    /// as `Float(mapping:)`, so the same bits), 8 at a time into the 3
    /// planes of NCHW (unit stride), pixel by pixel into NHWC. Plain stores:
    /// non-temporal ones measured 2x slower on the benchmark machine.
    private func writeGreyRow(_ ry: Int, _ values: UnsafePointer<Float>, _ geometry: FitGeometry,
                              _ out: UnsafeMutablePointer<Float>) {
        let y = ry &+ geometry.regionY, width = geometry.regionWidth
        let (a0, a1, a2, b0, b1, b2) = (scale[0], scale[1], scale[2], offset[0], offset[1], offset[2])
        var x = 0
        switch spec.layout {
        case .nchw:
            let (s0, s1, s2) = (SIMD8<Float>(repeating: a0), SIMD8<Float>(repeating: a1), SIMD8<Float>(repeating: a2))
            let (o0, o1, o2) = (SIMD8<Float>(repeating: b0), SIMD8<Float>(repeating: b1), SIMD8<Float>(repeating: b2))
            let plane = spec.height &* spec.width
            let r0 = out + index(y, geometry.regionX, 0), r1 = r0 + plane, r2 = r1 + plane
            while x &+ 8 <= width {
                let v = UnsafeRawPointer(values + x).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(r0 + x).storeBytes(of: v * s0 + o0, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(r1 + x).storeBytes(of: v * s1 + o1, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(r2 + x).storeBytes(of: v * s2 + o2, as: SIMD8<Float>.self)
                x &+= 8
            }
            while x < width {
                let v = values[x]
                r0[x] = v * a0 + b0
                r1[x] = v * a1 + b1
                r2[x] = v * a2 + b2
                x &+= 1
            }
        case .nhwc:
            let row = out + index(y, geometry.regionX, 0)
            while x < width {
                let v = values[x], pixel = row + x &* 3
                pixel[0] = v * a0 + b0
                pixel[1] = v * a1 + b1
                pixel[2] = v * a2 + b2
                x &+= 1
            }
        }
    }

    /// In bounds by construction: 0 <= ry < regionHeight, region columns
    /// x0 ..< x1 lie inside the output, c < channels.
    @inline(__always)
    private func writeRegionRow<T: ResizedElement>(_ ry: Int, _ values: UnsafePointer<Float>, _ sourceChannels: Int,
                                                   _ geometry: FitGeometry, _ out: UnsafeMutablePointer<T>) {
        let y = ry &+ geometry.regionY, x0 = geometry.regionX, width = geometry.regionWidth
        let channels = spec.channels
        let colour = sourceChannels == 1 ? 0 : 1
        scale.withUnsafeBufferPointer { scale in
            offset.withUnsafeBufferPointer { offset in
                guard let a = scale.baseAddress, let b = offset.baseAddress else { return }
                switch spec.layout {
                case .nhwc:
                    let row = out + index(y, x0, 0)
                    if channels == 3 && colour == 0 {
                        // Grey into RGB, the CheXpert training case.
                        let (a0, a1, a2, b0, b1, b2) = (a[0], a[1], a[2], b[0], b[1], b[2])
                        for x in 0 ..< width {
                            let v = values[x], pixel = row + x &* 3
                            pixel[0] = T(mapping: v, scale: a0, offset: b0)
                            pixel[1] = T(mapping: v, scale: a1, offset: b1)
                            pixel[2] = T(mapping: v, scale: a2, offset: b2)
                        }
                    } else {
                        for x in 0 ..< width {
                            let input = values + x &* sourceChannels, pixel = row + x &* channels
                            for c in 0 ..< channels { pixel[c] = T(mapping: input[c &* colour], scale: a[c], offset: b[c]) }
                        }
                    }
                case .nchw:
                    for c in 0 ..< channels {
                        let row = out + index(y, x0, c), input = values + c &* colour
                        let sc = a[c], oc = b[c]
                        if sourceChannels == 1 {
                            // Grey, the training case: unit stride, which the compiler vectorises.
                            var x = 0
                            while x < width { row[x] = T(mapping: input[x], scale: sc, offset: oc); x &+= 1 }
                        } else {
                            for x in 0 ..< width { row[x] = T(mapping: input[x &* sourceChannels], scale: sc, offset: oc) }
                        }
                    }
                }
            }
        }
    }
}

/// An element type of resized output, made from a resampled value.
protocol ResizedElement {
    init(mapping v: Float, scale: Float, offset: Float)
}

extension Float: ResizedElement {
    /// v * scale + offset (the normalisation).
    @inline(__always)
    init(mapping v: Float, scale: Float, offset: Float) { self = v * scale + offset }
}

extension UInt8: ResizedElement {
    /// v clamped to 0 ... 255 and rounded half up (uint8 output is never
    /// normalised, so scale and offset are 1 and 0).
    @inline(__always)
    init(mapping v: Float, scale: Float, offset: Float) {
        let clamped: Float = v >= 0 ? (v <= 255 ? v : 255) : 0  // NaN -> 0, never a trap
        self = UInt8((clamped + 0.5).rounded(.down))
    }
}
