import Glibc

/// 64-bit FNV-1a: the packed cache's fingerprint and checksum hash (not
/// cryptographic: it detects changes, not tampering).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: UnsafeRawBufferPointer) { add(bytes: bytes) }

    mutating func add<C: Collection>(bytes: C) where C.Element == UInt8 {
        var hash = value
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        value = hash
    }

    mutating func add(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { add($0) }
    }
}

/// What a packed cache records of its sources, and the checks against them.
enum Fingerprint {
    /// Hash of a split's `Path` names in row order (the selection applied),
    /// each followed by a 0 byte.
    static func namesHash(_ table: SplitTable) -> UInt64 {
        var hash = FNV1a()
        hash.add(UInt64(table.count))
        for row in 0 ..< table.count {
            table.name(at: row).withUnsafeBytes { hash.add(UnsafeRawBufferPointer($0)) }
            hash.add(bytes: CollectionOfOne(UInt8(0)))
        }
        return hash.value
    }

    /// Hash of a split's parsed rows other than the names: every label
    /// cell, view and projection, in row order (what the handle serves from
    /// its CSVs, whichever label file they came from).
    static func rowsHash(_ table: SplitTable) -> UInt64 {
        var hash = FNV1a()
        hash.add(UInt64(table.count))
        hash.add(UInt64(table.labelCount))
        for name in table.labelNames {
            hash.add(bytes: name.utf8)
            hash.add(bytes: CollectionOfOne(UInt8(0)))
        }
        for row in 0 ..< table.count {
            table.labels(at: row).withUnsafeBytes { hash.add(UnsafeRawBufferPointer($0)) }
            hash.add(bytes: [table.view(at: row), table.projection(at: row)])
        }
        return hash.value
    }

    /// An image file's size and modification time (nanoseconds), or
    /// (-1, 0) if it cannot be stat'ed.
    static func fileStat(_ path: PathBuffer) -> (bytes: Int64, modified: Int64) {
        var info = Glibc.stat()
        let result = path.withCString { base in fstatat(AT_FDCWD, base, &info, 0) }
        guard result == 0 else { return (-1, 0) }
        let (seconds, overflow) = Int64(info.st_mtim.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        return (Int64(info.st_size), overflow ? Int64.max : seconds &+ Int64(info.st_mtim.tv_nsec))
    }
}
