// libFuzzer target: arbitrary bytes as an image file. The header is read,
// and a decodable image is decoded (fast or accurate IDCT, RGB or grey) and
// resampled as a batch worker does, with resize parameters taken from the
// last bytes (ResizeChoice): extreme sides up to CHEXPERT_MAX_SIDE, every
// fit and filter; 1-pixel and 1-row seeds.
@testable import ChexpertCore
import FuzzSupport

/// Largest image the harness decodes (the library's default is 10^8).
private let maxPixels: Int64 = 1 << 22

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let decoder = try? JPEGDecoder(),
          let (shape, isGrey) = try? decoder.shape(of: bytes, file: "fuzz.jpg", maxPixels: maxPixels) else { return 0 }
    let grey = isGrey || size % 3 == 0
    let channels = grey ? 1 : ImageShape.channels
    var pixels = [UInt8](repeating: 0, count: shape.height * shape.width * channels)
    let decoded = pixels.withUnsafeMutableBufferPointer { (buffer) -> Bool in
        guard let base = buffer.baseAddress else { return false }
        return (try? decoder.decode(bytes, shape: shape, dct: size % 2 == 0 ? .fast : .accurate, grey: grey,
                                    into: base, file: "fuzz.jpg")) != nil
    }
    guard decoded else { return 0 }
    let resize = ResizeChoice(bytes)
    guard let spec = try? ResizeSpec(height: resize.height, width: resize.width, channels: grey ? 1 : 3,
                                     layout: resize.layout, elementType: .float32, fit: resize.fit,
                                     filter: resize.filter, normalization: resize.normalization) else {
        return 0
    }
    var output = [Float](repeating: 0, count: resize.height * resize.width * spec.channels)
    let writer = ResizedWriter(spec: spec)
    let geometry = FitGeometry(fit: spec.fit, source: shape, height: spec.height, width: spec.width)
    var resampled = false
    pixels.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBytes { out in
            guard let base = source.baseAddress, let example = out.baseAddress else { return }
            writer.writePadding(geometry, to: example)
            // .limit (scratch over CHEXPERT_MAX_SCRATCH_BYTES) is an answer, not a failure.
            resampled = (try? Resampler().resample(base, source: shape, channels: channels, geometry: geometry,
                                                   filter: spec.filter, file: "fuzz.jpg") {
                ry, row in writer.writeRegionRow(ry, row, sourceChannels: channels, geometry, to: example)
            }) != nil
        }
    }
    if resampled { precondition(output.allSatisfy(\.isFinite)) }
    return 0
}

/// The resize of one input, from its last 4 bytes (a JPEG decoder ignores
/// bytes after EOI, so the fuzzer mutates image and parameters together):
/// sides from 1 to CHEXPERT_MAX_SIDE (65535), every fit, filter, layout and
/// fixed normalisation. One side may be extreme; the other is then cut so
/// the output stays below 2^21 pixels (the harness allocates it).
private struct ResizeChoice {
    static let sides = [1, 2, 3, 7, 16, 37, 224, 1000, 4096, 65535, 65534, 32768]
    static let maxOutputPixels = 1 << 21

    let height: Int, width: Int
    let layout: ResizeSpec.Layout, fit: ResizeSpec.Fit, filter: ResampleFilter
    let normalization: ResizeSpec.Normalization

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        func tail(_ k: Int) -> Int { n > k ? Int(bytes[n - 1 - k]) : n % (k + 7) }
        var h = Self.sides[tail(0) % Self.sides.count], w = Self.sides[tail(1) % Self.sides.count]
        if tail(0) >= 128 { h = 1 + tail(0) % 37 }
        if tail(1) >= 128 { w = 1 + tail(1) % 29 }
        if h * w > Self.maxOutputPixels {
            if tail(2) & 1 == 0 { w = Swift.max(1, Self.maxOutputPixels / h) } else { h = Swift.max(1, Self.maxOutputPixels / w) }
        }
        height = h
        width = w
        let bits = tail(2) >> 1, more = tail(3)
        layout = ResizeSpec.Layout.allCases[bits % ResizeSpec.Layout.allCases.count]
        fit = ResizeSpec.Fit.allCases[(bits / 2) % ResizeSpec.Fit.allCases.count]
        filter = ResampleFilter.allCases[(bits / 8) % ResampleFilter.allCases.count]
        // .custom needs statistics; the others are fixed.
        let fixed = ResizeSpec.Normalization.allCases.filter { $0 != .custom }
        normalization = fixed[more % fixed.count]
    }
}

@_cdecl("fuzz_jpeg_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzMain(argc, argv, fuzzJPEG)
}
