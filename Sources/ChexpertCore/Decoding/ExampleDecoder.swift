import Glibc

/// What one thread needs to read examples' images: a decompressor, a file
/// buffer and a path buffer, reused for every example it reads in one call.
final class ExampleDecoder {
    private let decoder: JPEGDecoder
    private let file = ScratchBuffer()
    private let path = PathBuffer()
    private var loadedBytes = 0
    /// Whether the example last loaded is a one-component (grey) JPEG.
    private(set) var loadedIsGrey = false
    /// The packed cache's plane `load` served the example last loaded from
    /// (`settings.planes`), or nil: `decodeLoaded` then copies it.
    private var cachedPlane: UnsafePointer<UInt8>?
    private var cachedShape = ImageShape(height: 0, width: 0)

    /// - Throws: `.noMemory`.
    init() throws(ChexpertError) {
        decoder = try JPEGDecoder()
    }

    /// Reads example `index`'s file and JPEG header; the bytes stay loaded for
    /// `decodeLoaded` or `takeLoaded`.
    /// - Returns: the decoded image's shape.
    /// - Throws: `.notFound`, `.io`, `.image`, `.limit`, `.noMemory`.
    func load(_ table: SplitTable, index: Int, layout: DatasetLayout,
              settings: ReadSettings) throws(ChexpertError) -> ImageShape {
        try layout.imagePath(of: table.name(at: index), into: path)
        cachedPlane = nil
        if let planes = settings.planes {   // a packed cache: its grey plane, no file read
            let (shape, plane) = try planes.plane(row: index, file: layout.displayPath(of: path))
            cachedPlane = plane
            cachedShape = shape
            loadedIsGrey = true
            return shape
        }
        let display = layout.displayPath(of: path)
        loadedBytes = 0
        loadedBytes = try path.withCString { (base) throws(ChexpertError) -> Int in
            try FileReader.read(path: base, displayPath: display, maxBytes: Int(settings.maxFileBytes), into: file)
        }
        let (shape, isGrey) = try decoder.shape(of: loaded, file: display, maxPixels: settings.maxPixels)
        loadedIsGrey = isGrey
        return shape
    }

    /// The packed cache plane of the example last loaded (`loadedIsGrey`,
    /// the shape `load` returned), or nil when it came from a file: a
    /// reader may resample straight from the mapping instead of copying it
    /// with `decodeLoaded`.
    var loadedPlane: UnsafePointer<UInt8>? { cachedPlane }

    /// Decodes the example last loaded, whose shape `load` returned, into
    /// `destination`: `shape.byteCount` bytes of RGB, or with `grey` one byte
    /// per pixel.
    /// - Throws: `.image`.
    func decodeLoaded(shape: ImageShape, dct: DCTMethod, grey: Bool = false, into destination: UnsafeMutablePointer<UInt8>,
                      layout: DatasetLayout) throws(ChexpertError) {
        if let cachedPlane {
            guard shape == cachedShape else {
                throw ChexpertError(.internal, "a cached plane of \(cachedShape.height)x\(cachedShape.width) asked for at \(shape.height)x\(shape.width)")
            }
            destination.update(from: cachedPlane, count: shape.height * shape.width)
            return
        }
        try decoder.decode(loaded, shape: shape, dct: dct, grey: grey, into: destination, file: layout.displayPath(of: path))
    }

    /// Hands over the file last loaded: the caller owns its bytes (free them
    /// with `LoadedImage.release`) and this decoder loads the next file into
    /// a new buffer.
    /// - Parameter shape: what `load` returned for it.
    func takeLoaded(shape: ImageShape) -> LoadedImage {
        let count = loadedBytes
        let bytes = file.detach()
        loadedBytes = 0
        return LoadedImage(bytes: bytes, count: bytes == nil ? 0 : count, shape: shape)
    }

    /// Decodes a file taken with `takeLoaded` from `table` row `index` into
    /// `destination` (`image.shape.byteCount` bytes of RGB).
    /// - Throws: `.image`, `.noMemory` (the path).
    func decode(_ image: LoadedImage, dct: DCTMethod, into destination: UnsafeMutablePointer<UInt8>,
                table: SplitTable, index: Int, layout: DatasetLayout) throws(ChexpertError) {
        try layout.imagePath(of: table.name(at: index), into: path)
        try decoder.decode(UnsafeBufferPointer(start: image.bytes, count: image.count), shape: image.shape, dct: dct,
                           into: destination, file: layout.displayPath(of: path))
    }

    /// The display path of the example last loaded (for messages).
    func displayPath(_ layout: DatasetLayout) -> String { layout.displayPath(of: path) }

    private var loaded: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: file.pointer, count: file.pointer == nil ? 0 : loadedBytes)
    }
}
