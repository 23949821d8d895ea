/// The packed cache's file format, version 1 (docs/cache.md): a 4 KiB
/// header, an index of fixed-size entries, then the planes. Every integer is
/// little-endian; the byte-order mark refuses a file written on a big-endian
/// host (the library writes and reads native order on little-endian hosts
/// only).
///
///     [0, 4096)                  header (`CacheHeader`), checksum included
///     [4096, indexEnd)           one `CacheEntry` (40 bytes) per example, the
///                                splits in split order
///     [dataOffset, fileBytes)    uint8 grey planes, row-major, each at a
///                                64-byte-aligned offset; dataOffset and
///                                fileBytes are multiples of 4096
enum CacheFormat {
    /// "CHXPCACH" (computed: no lazy global to warm before fork).
    static var magic: [UInt8] { [0x43, 0x48, 0x58, 0x50, 0x43, 0x41, 0x43, 0x48] }
    static let version: UInt32 = 1
    static let byteOrderMark: UInt32 = 0x0102_0304
    static let headerBytes = 4096
    static let pageBytes = 4096
    static let planeAlignment = 64
    static let entryBytes = 40
    /// Split slots in the header (train, validation, test).
    static let splitSlots = 3
    /// Where the split records start in the header, and their size.
    static let splitRecordOffset = 128
    static let splitRecordBytes = 64
    /// Offset of the checksum field (zero while the checksum is computed).
    static let checksumOffset = 24

    /// `value` rounded up to a multiple of `alignment` (a power of two), or
    /// nil on overflow.
    static func aligned(_ value: Int, _ alignment: Int) -> Int? {
        let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
        return overflow ? nil : sum & ~(alignment - 1)
    }
}

/// How the planes were sized: short side `side` (aspect kept), or exactly
/// `height` x `width` through `fit` and `filter`.
package struct CacheGeometry: Sendable, Equatable {
    /// Short side of every plane, or nil for exact planes.
    package var side: Int?
    package var height: Int
    package var width: Int
    package var fit: ResizeSpec.Fit
    package var filter: ResampleFilter

    package init(side: Int?, height: Int, width: Int, fit: ResizeSpec.Fit, filter: ResampleFilter) {
        self.side = side
        self.height = height
        self.width = width
        self.fit = fit
        self.filter = filter
    }

    /// The plane size of a source of `shape`: short side `side` with the
    /// long side scaled and rounded to nearest (at least 1, at most
    /// `ResizeSpec.maxSide`), or `height` x `width`.
    func planeShape(_ shape: ImageShape) -> ImageShape {
        guard let side else { return ImageShape(height: height, width: width) }
        let short = Swift.max(1, Swift.min(shape.height, shape.width))
        let long = Swift.max(shape.height, shape.width)
        let scaled = (Double(long) * Double(side) / Double(short)).rounded(.toNearestOrEven)
        let other = Int(Swift.min(Swift.max(scaled, 1), Double(ResizeSpec.maxSide)))
        return shape.height <= shape.width ? ImageShape(height: side, width: other) : ImageShape(height: other, width: side)
    }

    /// The fit of the resize into a plane (stretch for short-side planes: the
    /// plane keeps the aspect ratio up to rounding).
    var planeFit: ResizeSpec.Fit { side == nil ? fit : .stretch }
}

/// One example's index entry: where its plane is and what its file was.
struct CacheEntry: Equatable {
    /// Byte offset of the plane in the file (0 for a failed example).
    var offset: UInt64
    /// The image file's size in bytes, -1 if it could not be stat'ed.
    var fileBytes: Int64
    /// The file's modification time in nanoseconds since the epoch.
    var modifiedNanoseconds: Int64
    var height: UInt32
    var width: UInt32
    /// 0, or the `CacheFailure` code of an example that could not be read
    /// at build time (ON_ERROR substitute).
    var failure: UInt32
    var reserved: UInt32 = 0

    var planeBytes: Int { Int(height) * Int(width) }
}

/// A data error recorded for an example at build time, served again at
/// read time.
enum CacheFailure {
    static func code(_ error: ChexpertError) -> UInt32 {
        switch error.code {
        case .notFound: 1
        case .io: 2
        case .image: 3
        case .limit: 4
        default: 2
        }
    }

    static func error(_ code: UInt32, file: String) -> ChexpertError {
        let kind: ChexpertError.Code = switch code {
        case 1: .notFound
        case 3: .image
        case 4: .limit
        default: .io
        }
        return ChexpertError(kind, "\(file): could not be read when the packed cache was built")
    }
}

/// A split's record in the header.
struct CacheSplitRecord: Equatable {
    var present: Bool
    var count: Int
    /// Index of the split's first entry.
    var firstEntry: Int
    /// Hash of the rows' `Path` names, in order.
    var namesHash: UInt64
    /// Hash of the split's parsed rows (labels, views, projections:
    /// `Fingerprint.rowsHash`).
    var rowsHash: UInt64
}

/// The header's fields (docs/cache.md gives each one's offset).
struct CacheHeader: Equatable {
    var version: UInt32 = CacheFormat.version
    var fileBytes: Int64 = 0
    var checksum: UInt64 = 0
    var geometry: CacheGeometry
    var dct: DCTMethod
    var selectionMask: Int64
    var entryCount: Int
    var dataOffset: Int64
    var failedCount: Int
    var splits: [CacheSplitRecord]

    /// Writes the header into `page` (`CacheFormat.headerBytes` zeroed bytes).
    func encode(into page: UnsafeMutableRawBufferPointer) {
        var writer = LittleEndianWriter(page)
        writer.bytes(CacheFormat.magic, at: 0)
        writer.u32(version, at: 8)
        writer.u32(CacheFormat.byteOrderMark, at: 12)
        writer.i64(fileBytes, at: 16)
        writer.u64(checksum, at: CacheFormat.checksumOffset)
        writer.u32(geometry.side == nil ? 1 : 0, at: 32)
        writer.u32(UInt32(geometry.side ?? 0), at: 36)
        writer.u32(UInt32(geometry.height), at: 40)
        writer.u32(UInt32(geometry.width), at: 44)
        writer.u32(Self.fitCode(geometry.fit), at: 48)
        writer.u32(geometry.filter == .area ? 0 : 1, at: 52)
        writer.u32(dct == .fast ? 0 : 1, at: 56)
        writer.u32(UInt32(CacheFormat.splitSlots), at: 60)
        writer.i64(selectionMask, at: 64)
        writer.i64(Int64(CacheFormat.headerBytes), at: 72)
        writer.i64(Int64(entryCount), at: 80)
        writer.i64(dataOffset, at: 88)
        writer.u32(UInt32(CacheFormat.entryBytes), at: 96)
        writer.u32(UInt32(CacheFormat.planeAlignment), at: 100)
        writer.i64(Int64(failedCount), at: 104)
        for (slot, record) in splits.enumerated() {
            let base = CacheFormat.splitRecordOffset + slot * CacheFormat.splitRecordBytes
            writer.u32(record.present ? 1 : 0, at: base)
            writer.i64(Int64(record.count), at: base + 8)
            writer.i64(Int64(record.firstEntry), at: base + 16)
            writer.u64(record.namesHash, at: base + 24)
            writer.u64(record.rowsHash, at: base + 32)
        }
    }

    /// Reads and checks a header's structure (not its checksum nor its
    /// fingerprint).
    /// - Throws: `.stale` naming what is wrong (magic, version, byte order,
    ///   a field out of range).
    static func decode(_ page: UnsafeRawBufferPointer, file: String) throws(ChexpertError) -> CacheHeader {
        func refuse(_ why: String) -> ChexpertError { ChexpertError(.stale, "\(file): \(why)") }
        let reader = LittleEndianReader(page)
        guard reader.bytes(at: 0, count: 8) == CacheFormat.magic else {
            throw refuse("not a libchexpert packed cache (no CHXPCACH magic)")
        }
        guard page.count >= CacheFormat.headerBytes else {
            throw refuse("truncated: \(page.count) bytes, shorter than the \(CacheFormat.headerBytes)-byte header")
        }
        let version = reader.u32(at: 8)
        guard version == CacheFormat.version else {
            throw refuse("packed cache format version \(version); this library reads version \(CacheFormat.version) (rebuild the cache)")
        }
        guard reader.u32(at: 12) == CacheFormat.byteOrderMark else {
            throw refuse("packed cache written with another byte order")
        }
        let exact = reader.u32(at: 32) == 1
        let side = Int(reader.u32(at: 36)), height = Int(reader.u32(at: 40)), width = Int(reader.u32(at: 44))
        guard let fit = fit(reader.u32(at: 48)), reader.u32(at: 52) <= 1, reader.u32(at: 56) <= 1,
              reader.u32(at: 60) == UInt32(CacheFormat.splitSlots),
              reader.i64(at: 72) == Int64(CacheFormat.headerBytes),
              reader.u32(at: 96) == UInt32(CacheFormat.entryBytes),
              reader.u32(at: 100) == UInt32(CacheFormat.planeAlignment),
              (1 ... ResizeSpec.maxSide).contains(exact ? height : side),
              (1 ... ResizeSpec.maxSide).contains(exact ? width : side) else {
            throw refuse("corrupt packed cache header (a field out of range)")
        }
        let entryCount = reader.i64(at: 80), dataOffset = reader.i64(at: 88), failed = reader.i64(at: 104)
        guard entryCount >= 0, entryCount <= Int64(Int32.max), failed >= 0, failed <= entryCount,
              dataOffset >= Int64(CacheFormat.headerBytes) else {
            throw refuse("corrupt packed cache header (entry count or data offset)")
        }
        var splits: [CacheSplitRecord] = []
        var total = 0
        for slot in 0 ..< CacheFormat.splitSlots {
            let base = CacheFormat.splitRecordOffset + slot * CacheFormat.splitRecordBytes
            let count = reader.i64(at: base + 8), first = reader.i64(at: base + 16)
            guard count >= 0, count <= entryCount, first == Int64(total) else {
                throw refuse("corrupt packed cache header (split record \(slot))")
            }
            total += Int(count)
            splits.append(CacheSplitRecord(present: reader.u32(at: base) == 1, count: Int(count), firstEntry: Int(first),
                                           namesHash: reader.u64(at: base + 24), rowsHash: reader.u64(at: base + 32)))
        }
        guard total == Int(entryCount) else { throw refuse("corrupt packed cache header (split counts)") }
        let geometry = CacheGeometry(side: exact ? nil : side, height: height, width: width, fit: fit,
                                     filter: reader.u32(at: 52) == 0 ? .area : .bilinear)
        return CacheHeader(version: version, fileBytes: reader.i64(at: 16), checksum: reader.u64(at: CacheFormat.checksumOffset),
                           geometry: geometry, dct: reader.u32(at: 56) == 0 ? .fast : .accurate,
                           selectionMask: reader.i64(at: 64), entryCount: Int(entryCount), dataOffset: dataOffset,
                           failedCount: Int(failed), splits: splits)
    }

    static func fitCode(_ fit: ResizeSpec.Fit) -> UInt32 {
        switch fit {
        case .cover: 0
        case .contain: 1
        case .stretch: 2
        }
    }

    static func fit(_ code: UInt32) -> ResizeSpec.Fit? {
        switch code {
        case 0: .cover
        case 1: .contain
        case 2: .stretch
        default: nil
        }
    }

    /// Byte offset of the index's end.
    var indexEnd: Int { CacheFormat.headerBytes + entryCount * CacheFormat.entryBytes }
}

extension CacheEntry {
    func encode(into writer: inout LittleEndianWriter, at base: Int) {
        writer.u64(offset, at: base)
        writer.i64(fileBytes, at: base + 8)
        writer.i64(modifiedNanoseconds, at: base + 16)
        writer.u32(height, at: base + 24)
        writer.u32(width, at: base + 28)
        writer.u32(failure, at: base + 32)
        writer.u32(reserved, at: base + 36)
    }

    static func decode(_ reader: LittleEndianReader, at base: Int) -> CacheEntry {
        CacheEntry(offset: reader.u64(at: base), fileBytes: reader.i64(at: base + 8),
                   modifiedNanoseconds: reader.i64(at: base + 16), height: reader.u32(at: base + 24),
                   width: reader.u32(at: base + 28), failure: reader.u32(at: base + 32), reserved: reader.u32(at: base + 36))
    }
}

/// Little-endian stores into a byte buffer (bounds checked by the callers'
/// fixed layout; out-of-range stores are dropped, never a trap).
struct LittleEndianWriter {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func u64(_ value: UInt64, at offset: Int) {
        guard offset >= 0, offset <= buffer.count - 8 else { return }
        buffer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
    }
    mutating func i64(_ value: Int64, at offset: Int) { u64(UInt64(bitPattern: value), at: offset) }
    mutating func u32(_ value: UInt32, at offset: Int) {
        guard offset >= 0, offset <= buffer.count - 4 else { return }
        buffer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
    mutating func bytes(_ values: [UInt8], at offset: Int) {
        for (i, byte) in values.enumerated() where offset + i < buffer.count { buffer[offset + i] = byte }
    }
}

/// Little-endian loads from a byte buffer (out of range reads give 0).
struct LittleEndianReader {
    let buffer: UnsafeRawBufferPointer
    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    func u64(at offset: Int) -> UInt64 {
        guard offset >= 0, offset <= buffer.count - 8 else { return 0 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    func i64(at offset: Int) -> Int64 { Int64(bitPattern: u64(at: offset)) }
    func u32(at offset: Int) -> UInt32 {
        guard offset >= 0, offset <= buffer.count - 4 else { return 0 }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    func bytes(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= buffer.count - count else { return [] }
        return Array(buffer[offset ..< offset + count])
    }
}
