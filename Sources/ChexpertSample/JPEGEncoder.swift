import CTurboJPEG

/// Layout of the pixels given to `JPEGEncoder`.
package enum JPEGPixelFormat: Sendable, Equatable {
    /// One byte per pixel (TJPF_GRAY).
    case gray
    /// Three bytes per pixel, R G B (TJPF_RGB).
    case rgb

    /// Bytes per pixel.
    package var bytesPerPixel: Int { self == .gray ? 1 : 3 }

    var turboJPEG: Int32 { Int32(self == .gray ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue) }
}

/// Chroma subsampling of the JPEG written by `JPEGEncoder`.
package enum JPEGSubsampling: Sendable, Equatable, CaseIterable {
    /// One grey component (TJSAMP_GRAY); from RGB input, the luminance only.
    case gray
    /// YCbCr 4:2:0 (TJSAMP_420).
    case s420
    /// YCbCr 4:2:2 (TJSAMP_422).
    case s422
    /// YCbCr 4:4:4 (TJSAMP_444).
    case s444

    var turboJPEG: Int32 {
        switch self {
        case .gray: Int32(TJSAMP_GRAY.rawValue)
        case .s420: Int32(TJSAMP_420.rawValue)
        case .s422: Int32(TJSAMP_422.rawValue)
        case .s444: Int32(TJSAMP_444.rawValue)
        }
    }
}

/// A TurboJPEG 2.x compressor (`tjInitCompress` / `tjCompress2`) with a
/// reusable output buffer.
///
/// Thread safety: one instance per thread (a TurboJPEG handle is not
/// thread-safe); instances are independent. The handle and buffer are freed by
/// `deinit`.
///
/// libjpeg-turbo 2.1.5 pitfall handled here: after a progressive compression
/// (which optimizes the Huffman tables), a baseline compression on the same
/// handle reuses the stale optimized tables without writing them (no DHT), so
/// the file decodes with "Corrupt JPEG data: N extraneous bytes before marker
/// 0xd9". The encoder therefore replaces its handle before a baseline
/// compression that follows a progressive one.
package final class JPEGEncoder {
    private var handle: UnsafeMutableRawPointer
    private var handleIsStale = false
    private var buffer: UnsafeMutablePointer<UInt8>?
    private var capacity = 0

    /// - Throws: `SampleError` (`.jpeg`) if TurboJPEG cannot create a compressor.
    package init() throws(SampleError) {
        guard let handle = tjInitCompress() else {
            throw SampleError(.jpeg, "tjInitCompress failed: " + Self.message(nil))
        }
        self.handle = handle
    }

    deinit {
        if let buffer { tjFree(buffer) }
        tjDestroy(handle)
    }

    /// Compresses packed pixels into a complete JPEG file (JFIF for grey and
    /// YCbCr output).
    ///
    /// - Parameters:
    ///   - pixels: `height` rows of `width * format.bytesPerPixel` bytes, no padding.
    ///   - quality: 1 ... 100.
    ///   - subsampling: `.gray` writes a one-component JPEG; the others need `.rgb` input.
    ///   - progressive: progressive (TJFLAG_PROGRESSIVE) instead of baseline Huffman.
    /// - Returns: the JPEG bytes.
    /// - Throws: `SampleError` (`.invalidArgument`) for a size, buffer length or
    ///   quality outside its domain, (`.jpeg`) with TurboJPEG's message if it fails.
    /// - Complexity: O(pixels).
    package func encode(
        _ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, format: JPEGPixelFormat,
        quality: Int, subsampling: JPEGSubsampling, progressive: Bool = false
    ) throws(SampleError) -> [UInt8] {
        guard width > 0, height > 0, width <= 65_500, height <= 65_500 else {
            throw SampleError(.invalidArgument, "JPEG size \(width)x\(height) is outside 1...65500")
        }
        let needed = width * height * format.bytesPerPixel
        guard pixels.count >= needed, let source = pixels.baseAddress else {
            throw SampleError(.invalidArgument, "pixel buffer has \(pixels.count) bytes, \(needed) needed")
        }
        guard (1 ... 100).contains(quality) else {
            throw SampleError(.invalidArgument, "JPEG quality \(quality) is outside 1...100")
        }
        let bound = tjBufSize(Int32(width), Int32(height), subsampling.turboJPEG)
        guard bound != UInt(bitPattern: -1), bound <= UInt(Int32.max) else {
            throw SampleError(.invalidArgument, "tjBufSize failed for \(width)x\(height)")
        }
        try reserve(Int(bound))
        if handleIsStale && !progressive {
            guard let fresh = tjInitCompress() else {
                throw SampleError(.jpeg, "tjInitCompress failed: " + Self.message(nil))
            }
            tjDestroy(handle)
            handle = fresh
            handleIsStale = false
        }
        if progressive { handleIsStale = true }
        var output = buffer
        var size = UInt(capacity)
        var flags = Int32(TJFLAG_NOREALLOC)
        if progressive { flags |= Int32(TJFLAG_PROGRESSIVE) }
        let status = tjCompress2(
            handle, source, Int32(width), 0, Int32(height), format.turboJPEG, &output, &size,
            subsampling.turboJPEG, Int32(quality), flags)
        guard status == 0, let output, Int(size) <= capacity else {
            throw SampleError(.jpeg, "tjCompress2 failed for \(width)x\(height): " + Self.message(handle))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// `encode(_:width:height:format:quality:subsampling:progressive:)` for an array.
    package func encode(
        _ pixels: [UInt8], width: Int, height: Int, format: JPEGPixelFormat,
        quality: Int, subsampling: JPEGSubsampling, progressive: Bool = false
    ) throws(SampleError) -> [UInt8] {
        let result: Result<[UInt8], SampleError> = pixels.withUnsafeBufferPointer { pointer in
            Result { () throws(SampleError) -> [UInt8] in
                try encode(pointer, width: width, height: height, format: format, quality: quality,
                           subsampling: subsampling, progressive: progressive)
            }
        }
        return try result.get()
    }

    /// One-shot encoding with a temporary compressor; see the instance method.
    package static func encode(
        _ pixels: [UInt8], width: Int, height: Int, format: JPEGPixelFormat,
        quality: Int, subsampling: JPEGSubsampling, progressive: Bool = false
    ) throws(SampleError) -> [UInt8] {
        try JPEGEncoder().encode(pixels, width: width, height: height, format: format, quality: quality,
                                 subsampling: subsampling, progressive: progressive)
    }

    private func reserve(_ bytes: Int) throws(SampleError) {
        if capacity >= bytes { return }
        if let buffer { tjFree(buffer) }
        buffer = nil
        capacity = 0
        guard let fresh = tjAlloc(Int32(bytes)) else {
            throw SampleError(.jpeg, "tjAlloc(\(bytes)) failed")
        }
        buffer = fresh
        capacity = bytes
    }

    private static func message(_ handle: UnsafeMutableRawPointer?) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }
}
