import ChexpertCore
import Glibc

/// Draws chest-radiograph-like pixels for a `SampleImage`: a body silhouette on
/// a dark background, dark lung fields crossed by curved rib bands, a bright
/// mediastinum, spine and heart shadow (frontal) or one lung field with a
/// posterior spine (lateral), a linear exposure gradient, a corner marker,
/// sometimes a tube, and film noise.
///
/// Contract: the pixels are a pure function of the `SampleImage` (size, view,
/// encoding, seed). Colour images are the grey picture with a mild
/// left-to-right tint, so their chroma is not constant.
/// Thread safety: one instance per thread (it keeps a scratch row).
package struct ChestImageSynthesizer {
    private var row: [Int32] = []

    /// One period of the band profile: a raised cosine squared, 0 ... 256.
    private static let bandProfile: [Int32] = (0 ..< 256).map { index in
        let c = max(0, cos(Double(index) * 2 * Double.pi / 256))
        return Int32(c * c * 256)
    }

    package init() {}

    /// Renders `image` into `pixels`, resized to `height * width *
    /// image.components` bytes: row-major, grey (1 byte per pixel) for
    /// `.gray`, else R G B.
    /// - Complexity: O(pixels), a few dozen integer operations per pixel.
    package mutating func render(_ image: SampleImage, into pixels: inout [UInt8]) {
        let width = max(1, image.width), height = max(1, image.height)
        let components = image.components
        let count = width * height * components
        if pixels.count != count { pixels = [UInt8](repeating: 0, count: count) }
        if row.count != width { row = [Int32](repeating: 0, count: width) }
        var rng = SplitMix64(seed: image.seed)
        let layout = Self.layout(image.view, width: width, height: height, rng: &rng)
        var noiseState = rng.next() | 1
        let noiseAmplitude = Self.noiseAmplitude(quality: image.quality, rng: &rng)
        let tint = components == 3 ? rng.next(in: 6 ... 14) : 0
        Self.bandProfile.withUnsafeBufferPointer { profile in
            row.withUnsafeMutableBufferPointer { acc in
                pixels.withUnsafeMutableBufferPointer { out in
                    for y in 0 ..< height {
                        layout.fillBase(rowIndex: y, into: acc, height: height)
                        for shape in layout.shapes {
                            shape.add(rowIndex: y, to: acc, profile: profile)
                        }
                        layout.marker.add(rowIndex: y, to: acc)
                        var bits: UInt64 = 0
                        var base = y * width * components
                        for x in 0 ..< width {
                            if x & 3 == 0 {
                                noiseState ^= noiseState << 13
                                noiseState ^= noiseState >> 7
                                noiseState ^= noiseState << 17
                                bits = noiseState
                            }
                            let draw = Int(bits & 31) + Int((bits >> 5) & 31) - 31
                            bits >>= 16
                            let grey = Int(acc[x]) + ((draw * noiseAmplitude) >> 5)
                            if components == 1 {
                                out[base] = Self.clamp(grey)
                            } else {
                                let shift = (x * 2 * tint) / width - tint
                                out[base] = Self.clamp(grey + shift)
                                out[base + 1] = Self.clamp(grey)
                                out[base + 2] = Self.clamp(grey - shift)
                            }
                            base += components
                        }
                    }
                }
            }
        }
    }

    /// - Returns: a new pixel array for `image`; see `render(_:into:)`.
    package mutating func render(_ image: SampleImage) -> [UInt8] {
        var pixels: [UInt8] = []
        render(image, into: &pixels)
        return pixels
    }

    @inline(__always)
    private static func clamp(_ value: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value < 0 ? 0 : (value > 255 ? 255 : value))
    }

    /// Film noise strength (scale of a triangular draw in -31...31, /32):
    /// less at high quality so that file sizes stay near 30-60 KB.
    private static func noiseAmplitude(quality: Int, rng: inout SplitMix64) -> Int {
        let base = quality >= 93 ? 11 : (quality >= 89 ? 13 : 15)
        return base + rng.next(in: 0 ... 3)
    }
}
