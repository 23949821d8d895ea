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
        if spec.normalization == .none {
            scale = Array(repeating: 1, count: spec.channels)
            offset = Array(repeating: 0, count: spec.channels)
        } else {
            scale = spec.std.map { 1 / (255 * $0) }
            offset = zip(spec.mean, spec.std).map { -$0 / $1 }
        }
    }

    /// Writes example `region` (`sourceChannels` interleaved values per pixel,
    /// `geometry`'s region size) at `destination`, `spec.bytesPerExample`
    /// bytes. A 1-channel region fills every output channel.
    func write(_ region: [Float], sourceChannels: Int, geometry: FitGeometry,
               to destination: UnsafeMutableRawPointer) {
        region.withUnsafeBufferPointer { values in
            scale.withUnsafeBufferPointer { scale in
                offset.withUnsafeBufferPointer { offset in
                    guard let values = values.baseAddress, let a = scale.baseAddress, let b = offset.baseAddress else { return }
                    switch spec.elementType {
                    case .float32:
                        write(values, sourceChannels, geometry, a, b, destination.assumingMemoryBound(to: Float.self))
                    case .uint8:
                        write(values, sourceChannels, geometry, a, b, destination.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
    }

    /// Writes every output element, walking the output in memory order
    /// (pixel-major for NHWC, plane-major for NCHW) so each cache line is
    /// written once. Indices stay in bounds by construction: region
    /// coordinates are checked against the region, output ones run over
    /// `height x width x channels`.
    @inline(__always)
    private func write<T: ResizedElement>(_ values: UnsafePointer<Float>, _ sourceChannels: Int, _ geometry: FitGeometry,
                                          _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<T>) {
        let height = spec.height, width = spec.width, channels = spec.channels
        let x0 = geometry.regionX, x1 = geometry.regionX &+ geometry.regionWidth
        let colour = sourceChannels == 1 ? 0 : 1
        switch spec.layout {
        case .nhwc:
            var padding: [T] = []
            for c in 0 ..< channels { padding.append(T(mapping: 0, scale: a[c], offset: b[c])) }
            for y in 0 ..< height {
                let row = out + y &* width &* channels
                let ry = y &- geometry.regionY
                let inside = ry >= 0 && ry < geometry.regionHeight
                let source = values + (inside ? ry &* geometry.regionWidth &* sourceChannels : 0)
                for x in 0 ..< width {
                    let pixel = row + x &* channels
                    if inside && x >= x0 && x < x1 {
                        let input = source + (x &- x0) &* sourceChannels
                        for c in 0 ..< channels { pixel[c] = T(mapping: input[c &* colour], scale: a[c], offset: b[c]) }
                    } else {
                        for c in 0 ..< channels { pixel[c] = padding[c] }
                    }
                }
            }
        case .nchw:
            for c in 0 ..< channels {
                let scale = a[c], offset = b[c]
                let padding = T(mapping: 0, scale: scale, offset: offset)
                for y in 0 ..< height {
                    let row = out + (c &* height &+ y) &* width
                    let ry = y &- geometry.regionY
                    guard ry >= 0, ry < geometry.regionHeight else {
                        for x in 0 ..< width { row[x] = padding }
                        continue
                    }
                    for x in 0 ..< x0 { row[x] = padding }
                    let input = values + (ry &* geometry.regionWidth &* sourceChannels &+ c &* colour)
                    for x in x0 ..< x1 { row[x] = T(mapping: input[(x &- x0) &* sourceChannels], scale: scale, offset: offset) }
                    for x in x1 ..< width { row[x] = padding }
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
