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
    /// TurboJPEG's text is passed through `redacted`: no value read from the
    /// file reaches a message.
    private func failure(_ code: ChexpertError.Code, _ message: String) -> ChexpertError {
        let text = "\(message): \(Self.redacted(errorText))"
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

    /// The words of a libjpeg/TurboJPEG message without the values it
    /// quotes. libjpeg's messages format bytes and numbers read from the file
    /// ("Not a JPEG file: starts with 0x%02x 0x%02x", "Unsupported marker
    /// type 0x%02x", "Unsupported JPEG data precision %d", "%u extraneous
    /// bytes before marker 0x%02x"): every token holding a digit is dropped
    /// (a function name such as `tjDecompressHeader3():` is kept), as is any
    /// byte outside printable ASCII. The one constant with a number,
    /// TurboJPEG's "more than 500 scans", is kept whole.
    static func redacted(_ text: String) -> String {
        let scanLimit = "Progressive JPEG image has more than 500 scans"
        if text == scanLimit { return text }
        var words: [Substring] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let isFunction = word.hasSuffix("():") || word.hasSuffix("()")
            if !isFunction, word.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { continue }
            // "Ss=%d" leaves "Ss=": a name whose value was dropped.
            if word.hasSuffix("=") { continue }
            words.append(word)
        }
        var out = ""
        for scalar in words.joined(separator: " ").unicodeScalars where scalar.value >= 0x20 && scalar.value < 0x7F {
            out.unicodeScalars.append(scalar)
        }
        while let last = out.last, last == ":" || last == " " || last == "," { out.removeLast() }
        return out.isEmpty ? "corrupt JPEG data" : out
    }

    /// What a file that is not a JPEG is, in words ("PNG", "text"), or nil
    /// for an unknown format: a message never holds the file's bytes (a
    /// hostile CSV could otherwise print the start of any readable file into
    /// a log), only the detected format.
    static func describeNonJPEG(_ data: UnsafeBufferPointer<UInt8>) -> String? {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            data.count >= offset + signature.count
                && UnsafeBufferPointer(rebasing: data[offset ..< offset + signature.count]).elementsEqual(signature)
        }
        let formats: [([UInt8], Int, String)] = [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], 0, "PNG"),
            (Array("GIF87a".utf8), 0, "GIF"),
            (Array("GIF89a".utf8), 0, "GIF"),
            (Array("BM".utf8), 0, "BMP"),
            (Array("WEBP".utf8), 8, "WebP"),
            ([0x49, 0x49, 0x2A, 0x00], 0, "TIFF"),
            ([0x4D, 0x4D, 0x00, 0x2A], 0, "TIFF"),
            ([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20], 0, "JPEG 2000"),
            ([0xFF, 0x4F, 0xFF, 0x51], 0, "JPEG 2000"),
            (Array("DICM".utf8), 128, "DICOM"),
            (Array("%PDF".utf8), 0, "PDF"),
            ([0x50, 0x4B, 0x03, 0x04], 0, "ZIP"),
            ([0x1F, 0x8B], 0, "gzip"),
            ([0x7F, 0x45, 0x4C, 0x46], 0, "ELF executable"),
            ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], 0, "NumPy array"),
        ]
        if starts(Array("RIFF".utf8)), !starts(Array("WEBP".utf8), at: 8) { return "RIFF" }
        for (signature, offset, name) in formats where starts(signature, at: offset) { return name }
        // Text: the first 512 bytes are printable ASCII, tabs, line breaks
        // or well-formed UTF-8 (a sequence cut by the 512 is allowed).
        let head = UnsafeBufferPointer(rebasing: data[0 ..< Swift.min(data.count, 512)])
        for byte in head where byte < 0x80 {
            if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D, byte != 0x0C { return nil }
            if byte == 0x7F { return nil }
        }
        if let bad = SplitTable.firstInvalidUTF8Offset(head), bad < head.count - 3 { return nil }
        return "text"
    }

    /// Refuses data that is not a JPEG (no SOI marker), naming its format in
    /// words; TurboJPEG would quote its first two bytes.
    private static func checkSignature(_ data: UnsafeBufferPointer<UInt8>, file: String) throws(ChexpertError) {
        let only = "only JPEG images are supported"
        if data.isEmpty { throw ChexpertError(.image, "\(file): empty file (0 bytes); \(only)") }
        if data.count >= 2, data[0] == 0xFF, data[1] == 0xD8 { return }
        if data.count < 2 { throw ChexpertError(.image, "\(file): 1 byte, too short for JPEG data; \(only)") }
        let kind: String
        switch describeNonJPEG(data) {
        case nil: kind = "not JPEG data (unknown format)"
        case "text": kind = "text, not JPEG data"
        case let name?: kind = "\(name) data, not JPEG data"
        }
        throw ChexpertError(.image, "\(file): \(kind); \(only)")
    }
}
