/// Renders, encodes and writes sample images, reusing one pixel buffer, one
/// synthesizer and one TurboJPEG compressor. One instance per thread.
package struct SampleImageWriter {
    private var synthesizer = ChestImageSynthesizer()
    private let encoder: JPEGEncoder
    private var pixels: [UInt8] = []

    /// - Throws: `SampleError` (`.jpeg`) if no compressor can be created.
    package init() throws(SampleError) {
        encoder = try JPEGEncoder()
    }

    /// - Returns: the JPEG file of `image` (see `ChestImageSynthesizer` and
    ///   `JPEGEncoder`).
    /// - Throws: `SampleError` (`.invalidArgument` or `.jpeg`).
    package mutating func encode(_ image: SampleImage) throws(SampleError) -> [UInt8] {
        synthesizer.render(image, into: &pixels)
        return try encoder.encode(
            pixels, width: image.width, height: image.height, format: image.components == 1 ? .gray : .rgb,
            quality: image.quality, subsampling: image.encoding.subsampling, progressive: image.progressive)
    }

    /// Encodes `image` and writes it atomically to `path` (its folder must exist).
    /// - Returns: the number of bytes written.
    package mutating func write(_ image: SampleImage, to path: String) throws(SampleError) -> Int {
        let jpeg = try encode(image)
        try SampleFiles.write(jpeg, to: path)
        return jpeg.count
    }
}
