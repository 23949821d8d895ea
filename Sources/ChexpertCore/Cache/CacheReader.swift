import Glibc

/// A packed cache file mapped read-only (docs/cache.md). Immutable after
/// `init`; shared by every call that took it in its settings snapshot, and
/// unmapped when the last one lets go (a detach or close while a batch runs
/// leaves that batch its mapping). The mapping is the OS's page cache: no
/// heap memory scales with the file. A forked child may keep using an
/// inherited mapping.
package final class PackedCache: @unchecked Sendable, Equatable {
    /// The file's path, for messages.
    package let path: String
    let header: CacheHeader
    private let base: UnsafeRawPointer
    private let length: Int

    package static func == (lhs: PackedCache, rhs: PackedCache) -> Bool { lhs === rhs }

    /// Maps `path` and checks its structure and checksum (not the
    /// fingerprint: `verify(against:)`).
    /// - Throws: `.notFound`, `.io`, `.stale` naming what is wrong,
    ///   `.noMemory` (the mapping).
    package init(pathBytes: [UInt8]) throws(ChexpertError) {
        let path = DatasetLayout.display(pathBytes)
        let cPath = pathBytes.map { CChar(bitPattern: $0) } + [0]
        let fd = cPath.withUnsafeBufferPointer { chars in chars.baseAddress.map { open($0, O_RDONLY | O_CLOEXEC) } ?? -1 }
        guard fd >= 0 else {
            let err = errno
            throw ChexpertError(err == ENOENT || err == ENOTDIR ? .notFound : .io,
                                "\(path): cannot open the packed cache: \(FileReader.describe(errno: err))")
        }
        defer { close(fd) }
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else {
            throw ChexpertError(.io, "\(path): cannot stat the packed cache: \(FileReader.describe(errno: errno))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ChexpertError(.io, "\(path): not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw ChexpertError(.stale, "\(path): not a libchexpert packed cache (an empty file)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            let err = errno
            throw ChexpertError(err == ENOMEM ? .noMemory : .io, "\(path): cannot map the packed cache: \(FileReader.describe(errno: err))")
        }
        let region = UnsafeRawBufferPointer(start: mapped, count: size)
        do throws(ChexpertError) {
            self.header = try Self.check(region, file: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.path = path
        self.base = UnsafeRawPointer(mapped)
        self.length = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The structure checks: header fields, size, checksum, every entry in
    /// bounds.
    private static func check(_ file: UnsafeRawBufferPointer, file path: String) throws(ChexpertError) -> CacheHeader {
        let header = try CacheHeader.decode(UnsafeRawBufferPointer(rebasing: file[0 ..< Swift.min(file.count, CacheFormat.headerBytes)]),
                                            file: path)
        guard header.fileBytes == Int64(file.count) else {
            throw ChexpertError(.stale, header.fileBytes > Int64(file.count)
                ? "\(path): truncated: \(file.count) bytes of the \(header.fileBytes) its header records"
                : "\(path): \(file.count) bytes, longer than the \(header.fileBytes) its header records")
        }
        guard header.indexEnd <= Int(header.dataOffset), header.dataOffset <= header.fileBytes else {
            throw ChexpertError(.stale, "\(path): corrupt packed cache (index and data regions)")
        }
        guard checksum(file, indexEnd: header.indexEnd) == header.checksum else {
            throw ChexpertError(.stale, "\(path): corrupt packed cache: the header and index checksum does not match")
        }
        let reader = LittleEndianReader(file)
        for index in 0 ..< header.entryCount {
            let entry = CacheEntry.decode(reader, at: CacheFormat.headerBytes + index * CacheFormat.entryBytes)
            if entry.failure != 0 { continue }
            let (end, overflow) = Int(clamping: entry.offset).addingReportingOverflow(entry.planeBytes)
            guard !overflow, entry.height > 0, entry.width > 0, entry.height <= UInt32(ResizeSpec.maxSide),
                  entry.width <= UInt32(ResizeSpec.maxSide), Int64(clamping: entry.offset) >= header.dataOffset,
                  end <= file.count else {
                throw ChexpertError(.stale, "\(path): corrupt packed cache: index entry \(index) is out of bounds")
            }
        }
        return header
    }

    /// The checksum of a header and index: FNV-1a over bytes 0 ..<
    /// `indexEnd` with the checksum field read as zeros.
    static func checksum(_ file: UnsafeRawBufferPointer, indexEnd: Int) -> UInt64 {
        var hash = FNV1a()
        let field = CacheFormat.checksumOffset
        hash.add(UnsafeRawBufferPointer(rebasing: file[0 ..< field]))
        hash.add(UInt64(0))
        hash.add(UnsafeRawBufferPointer(rebasing: file[(field + 8) ..< Swift.min(indexEnd, file.count)]))
        return hash.value
    }

    func entry(_ index: Int) -> CacheEntry {
        CacheEntry.decode(LittleEndianReader(UnsafeRawBufferPointer(start: base, count: length)),
                          at: CacheFormat.headerBytes + index * CacheFormat.entryBytes)
    }

    /// The planes of `split`, or nil if the cache has none.
    package func planes(_ split: Split) -> CachedPlanes? {
        guard split.rawValue < header.splits.count else { return nil }
        let record = header.splits[split.rawValue]
        guard record.present else { return nil }
        return CachedPlanes(cache: self, first: record.firstEntry, count: record.count)
    }

    /// The plane of entry `index` (checked in bounds by `init`).
    func plane(_ entry: CacheEntry) -> UnsafePointer<UInt8> {
        (base + Int(clamping: entry.offset)).assumingMemoryBound(to: UInt8.self)
    }

    /// Checks the fingerprint against `dataset`: selection, the splits it
    /// has and their sizes, each split's names and CSV contents, then every
    /// image's size and modification time.
    /// - Throws: `.stale` naming the first difference.
    package func verify(against dataset: Dataset) throws(ChexpertError) {
        func stale(_ why: String) -> ChexpertError {
            ChexpertError(.stale, "\(path) was built from other sources: \(why) (rebuild the cache)")
        }
        if header.selectionMask != dataset.selection.mask {
            throw stale("it was built with CHEXPERT_KEY_SELECT = \(header.selectionMask), the dataset has \(dataset.selection.mask)")
        }
        for split in Split.allCases {
            let record = split.rawValue < header.splits.count ? header.splits[split.rawValue] : nil
            let has = dataset.hasSplit(split)
            guard record?.present == has else {
                throw stale(has ? "it has no '\(split.name)' split, the dataset has one" : "it has a '\(split.name)' split, the dataset has none")
            }
            guard let record, has else { continue }
            let table = dataset.table(split)
            guard record.count == table.count else {
                throw stale("split '\(split.name)' has \(record.count) examples in the cache, \(table.count) in the dataset")
            }
            guard Fingerprint.namesHash(table) == record.namesHash else {
                throw stale("the image paths of split '\(split.name)' differ (\(dataset.file(split)) lists other images)")
            }
            guard Fingerprint.rowsHash(table) == record.rowsHash else {
                throw stale("the labels, views or projections of split '\(split.name)' differ (\(dataset.file(split)) was edited)")
            }
            let path = PathBuffer()
            for row in 0 ..< table.count {
                let entry = self.entry(record.firstEntry + row)
                try dataset.layout.imagePath(of: table.name(at: row), into: path)
                let now = Fingerprint.fileStat(path)
                guard now.bytes == entry.fileBytes, now.modified == entry.modifiedNanoseconds else {
                    let file = dataset.layout.displayPath(of: path)
                    if now.bytes < 0 || entry.fileBytes < 0 {
                        throw stale("\(file) \(now.bytes < 0 ? "is missing now" : "was missing when the cache was built")")
                    }
                    throw stale("\(file) changed since the cache was built (\(entry.fileBytes) bytes then, \(now.bytes) now; modification time \(now.modified == entry.modifiedNanoseconds ? "unchanged" : "changed"))")
                }
            }
        }
    }

    /// What `chexpert_cache_info` reports, in `chexpert_cache_field` order.
    package var info: [Int64] {
        let geometry = header.geometry
        let split = { (slot: Int) -> Int64 in
            slot < self.header.splits.count && self.header.splits[slot].present ? Int64(self.header.splits[slot].count) : -1
        }
        return [Int64(header.version), header.fileBytes, Int64(geometry.side ?? 0),
                geometry.side == nil ? Int64(geometry.height) : 0, geometry.side == nil ? Int64(geometry.width) : 0,
                header.selectionMask, split(0), split(1), split(2), Int64(header.failedCount),
                header.fileBytes - header.dataOffset]
    }
}

/// One split's planes in a packed cache: what a resized batch reads instead
/// of JPEGs (`ReadSettings.planes`).
package struct CachedPlanes: Sendable, Equatable {
    let cache: PackedCache
    let first: Int
    let count: Int

    /// Row `row`'s plane and shape.
    /// - Throws: the data error recorded for the row at build time;
    ///   `.internal` for a row outside the split (checked by the caller).
    func plane(row: Int, file: @autoclosure () -> String) throws(ChexpertError) -> (ImageShape, UnsafePointer<UInt8>) {
        guard row >= 0, row < count else { throw ChexpertError(.internal, "cached row \(row) outside 0 ..< \(count)") }
        let entry = cache.entry(first + row)
        if entry.failure != 0 { throw CacheFailure.error(entry.failure, file: file()) }
        return (ImageShape(height: Int(entry.height), width: Int(entry.width)), cache.plane(entry))
    }
}

extension ReadSettings {
    /// These settings with `planes` set to the attached cache's planes of
    /// `split` (nil without a cache): what a resized batch of `split` reads.
    package func servingPlanes(of split: Split) -> ReadSettings {
        var copy = self
        copy.planes = cache?.planes(split)
        return copy
    }
}

extension Dataset {
    /// Attaches the cache at `path` (nil detaches) after checking it.
    /// C: `chexpert_dataset_attach_cache`.
    /// - Throws: as `PackedCache.init` and `verify(against:)`; the handle's
    ///   cache is then unchanged.
    package func attachCache(pathBytes: [UInt8]?) throws(ChexpertError) {
        guard let pathBytes else {
            updateSettings { $0.cache = nil }
            return
        }
        let cache = try PackedCache(pathBytes: pathBytes)
        try cache.verify(against: self)
        updateSettings { $0.cache = cache }
    }
}
