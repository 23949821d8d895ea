// libFuzzer target: arbitrary bytes as an image file. The header is read,
// and a decodable image is decoded (fast or accurate IDCT, RGB or grey) and
// resampled as a batch worker does, with parameters taken from the size.
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
    let height = Int64(1 + size % 37), width = Int64(1 + size % 29)
    guard let spec = try? ResizeSpec(height: Int(height), width: Int(width), channels: grey ? 1 : 3,
                                     layout: ResizeSpec.Layout.allCases[size % 2], elementType: .float32,
                                     fit: ResizeSpec.Fit.allCases[size % 3], filter: ResampleFilter.allCases[size / 3 % 2],
                                     normalization: ResizeSpec.Normalization.allCases[size % 4]) else {
        return 0
    }
    var output = [Float](repeating: 0, count: Int(height * width) * spec.channels)
    let writer = ResizedWriter(spec: spec)
    let geometry = FitGeometry(fit: spec.fit, source: shape, height: spec.height, width: spec.width)
    pixels.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBytes { out in
            guard let base = source.baseAddress, let example = out.baseAddress else { return }
            writer.writePadding(geometry, to: example)
            Resampler().resample(base, source: shape, channels: channels, geometry: geometry, filter: spec.filter) {
                ry, row in writer.writeRegionRow(ry, row, sourceChannels: channels, geometry, to: example)
            }
        }
    }
    precondition(output.allSatisfy(\.isFinite))
    return 0
}

@_cdecl("fuzz_jpeg_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzMain(argc, argv, fuzzJPEG)
}
