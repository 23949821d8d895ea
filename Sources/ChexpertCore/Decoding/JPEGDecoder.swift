import CTurboJPEG

/// One TurboJPEG decompressor. Not thread-safe: each thread (each batch
/// worker, each single-example call) owns its own.
///
/// Decoding always produces RGB (`TJPF_RGB`), which for grey JPEGs replicates
/// the grey value into the three channels, as TensorFlow's
/// `decode_image(channels=3)` does. Every libjpeg warning (a truncated file,
/// corrupt data) is an error (`TJFLAG_STOPONWARNING`), as in TensorFlow, and
/// progressive files with more than 500 scans are refused
/// (`TJFLAG_LIMITSCANS`).
///
/// After any failure the decompressor is replaced by a fresh one: TurboJPEG
/// 2.1 can leave a handle that failed mid-stream in a state that makes the
/// next, valid, image fail too.
final class JPEGDecoder {
    private var handle: tjhandle

    /// - Throws: `.noMemory` if TurboJPEG cannot create a decompressor.
    init() throws(ChexpertError) {
        handle = try Self.makeHandle()
    }

    deinit { tjDestroy(handle) }

    private static func makeHandle() throws(ChexpertError) -> tjhandle {
        guard let handle = tjInitDecompress() else {
            throw ChexpertError(.noMemory, "cannot create a TurboJPEG decompressor")
        }
        return handle
    }

    /// The error for a failed TurboJPEG call, after replacing the handle.
    private func failure(_ code: ChexpertError.Code, _ message: String) -> ChexpertError {
        let text = "\(message): \(errorText)"
        if let fresh = tjInitDecompress() {
            tjDestroy(handle)
            handle = fresh
        }
        return ChexpertError(code, text)
    }

    /// Reads the image size from a JPEG header.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the file's path, for messages.
    ///   - maxPixels: larger images are refused with `.limit`.
    /// - Throws: `.image` (not a JPEG, corrupt header, CMYK), `.limit`.
    /// - Returns: the size, and whether the JPEG has one (grey) component.
    func shape(of data: UnsafeBufferPointer<UInt8>, file: String, maxPixels: Int64) throws(ChexpertError) -> (ImageShape, isGrey: Bool) {
        try Self.checkSignature(data, file: file)
        guard let base = data.baseAddress else { throw ChexpertError(.image, "\(file): empty file (0 bytes)") }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, UInt(data.count), &width, &height, &subsampling, &colorspace) != 0 {
            throw failure(.image, "\(file): invalid JPEG header")
        }
        guard colorspace != Int32(TJCS_CMYK.rawValue), colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw ChexpertError(.image, "\(file): CMYK/YCCK JPEGs are not supported (CheXpert images are grey)")
        }
        guard width > 0, height > 0 else {
            throw ChexpertError(.image, "\(file): truncated or corrupt JPEG header (it gives an empty image, \(width)x\(height))")
        }
        let pixels = Int64(width) * Int64(height)
        guard pixels <= maxPixels else {
            throw ChexpertError(.limit, "\(file): \(width)x\(height) = \(pixels) pixels exceeds the limit of \(maxPixels) pixels (CHEXPERT_KEY_MAX_PIXELS)")
        }
        return (ImageShape(height: Int(height), width: Int(width)), colorspace == Int32(TJCS_GRAY.rawValue))
    }

    /// Decodes `data`, whose header gave `shape`, into `destination`
    /// (`shape.byteCount` bytes, rows packed; with `grey`, one byte per
    /// pixel: the luma, which for grey JPEGs is the grey value).
    /// - Throws: `.image` with libjpeg's message; `destination` may then hold
    ///   a partial image.
    func decode(_ data: UnsafeBufferPointer<UInt8>, shape: ImageShape, dct: DCTMethod, grey: Bool = false,
                into destination: UnsafeMutablePointer<UInt8>, file: String) throws(ChexpertError) {
        guard let base = data.baseAddress else { throw ChexpertError(.image, "\(file): empty file (0 bytes)") }
        let flags = dct.turboJPEGFlag | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS
        let status = tjDecompress2(handle, base, UInt(data.count), destination,
                                   Int32(clamping: shape.width), 0, Int32(clamping: shape.height),
                                   Int32(grey ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue), flags)
        if status != 0 {
            throw failure(.image, "\(file): JPEG data cannot be decoded")
        }
    }

    private var errorText: String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }

    /// Names the format of data that is not a JPEG, which TurboJPEG would only
    /// call "Not a JPEG file".
    private static func checkSignature(_ data: UnsafeBufferPointer<UInt8>, file: String) throws(ChexpertError) {
        if data.isEmpty { throw ChexpertError(.image, "\(file): empty file (0 bytes)") }
        if data.count >= 2, data[0] == 0xFF, data[1] == 0xD8 { return }
        func starts(_ signature: [UInt8]) -> Bool { data.starts(with: signature) }
        let kind: String
        if starts([0x89, 0x50, 0x4E, 0x47]) {
            kind = "PNG data"
        } else if starts(Array("GIF8".utf8)) {
            kind = "GIF data"
        } else if starts(Array("BM".utf8)) {
            kind = "BMP data"
        } else if starts(Array("RIFF".utf8)) {
            kind = "RIFF (WebP?) data"
        } else {
            let head = data.prefix(4).map { byte -> String in
                let hex = String(byte, radix: 16)
                return hex.count < 2 ? "0" + hex : hex
            }
            kind = "not JPEG data (starts with \(head.joined(separator: " ")))"
        }
        throw ChexpertError(.image, "\(file): \(kind); only JPEG images are supported")
    }
}
