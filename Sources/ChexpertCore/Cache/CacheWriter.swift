import CSystem
import Glibc

/// What `chexpert_cache_build` writes.
package struct CacheBuildPlan: Sendable {
    package var geometry: CacheGeometry
    package var dct: DCTMethod?
    package var onError: BadExamplePolicy?

    package init(geometry: CacheGeometry, dct: DCTMethod?, onError: BadExamplePolicy?) {
        self.geometry = geometry
        self.dct = dct
        self.onError = onError
    }
}

extension Dataset {
    /// Writes a packed cache of every split the handle has to `path`
    /// (docs/cache.md), in two parallel passes over the examples: headers
    /// and file stats (the plane sizes, so every plane's offset is known),
    /// then decode, resample and `pwrite` each plane at its offset. Written
    /// to a temporary file in the same folder, fsync'ed, then renamed over
    /// `path` (and the folder fsync'ed): a failure or crash leaves no
    /// partial file at `path`. C: `chexpert_cache_build`.
    /// - Parameters:
    ///   - progress: nil, or a counter set to 0 and incremented (atomically)
    ///     per example written.
    /// - Throws: the first failing example's error (under raise), `.io`
    ///   (writing), `.noMemory`.
    package func buildCache(pathBytes: [UInt8], plan: CacheBuildPlan, threads: Int,
                            progress: UnsafeMutablePointer<Int64>?) throws(ChexpertError) {
        let settings = self.settings
        let dct = plan.dct ?? settings.dct
        let substitute = (plan.onError ?? settings.onError) == .substitute
        if let progress { cxp_atomic_store_i64(OpaquePointer(progress).toLongLong, 0) }
        let splits = Split.allCases.filter { hasSplit($0) }
        var records: [CacheSplitRecord] = []
        var total = 0
        for split in Split.allCases {
            guard splits.contains(split) else {
                records.append(CacheSplitRecord(present: false, count: 0, firstEntry: total, namesHash: 0, rowsHash: 0))
                continue
            }
            let table = table(split)
            records.append(CacheSplitRecord(present: true, count: table.count, firstEntry: total,
                                            namesHash: Fingerprint.namesHash(table), rowsHash: Fingerprint.rowsHash(table)))
            total += table.count
        }
        while records.count < CacheFormat.splitSlots {
            records.append(CacheSplitRecord(present: false, count: 0, firstEntry: total, namesHash: 0, rowsHash: 0))
        }
        let entries = try UnsafeMutablePointer<CacheEntry>.allocateChecked(Swift.max(total, 1), for: "the index of \(total) examples")
        entries.initialize(repeating: CacheEntry(offset: 0, fileBytes: -1, modifiedNanoseconds: 0, height: 0, width: 0, failure: 0),
                           count: Swift.max(total, 1))
        defer {
            entries.deinitialize(count: Swift.max(total, 1))
            entries.deallocateChecked()
        }

        // Pass 1: every example's file stat and JPEG header: its plane size.
        let geometry = plan.geometry
        let headerSettings = settings
        for split in splits {
            let table = table(split), first = records[split.rawValue].firstEntry
            let locate = { (position: Int) in "example \(position) of '\(split.name)'" }
            let body = { (worker: BatchWorker, row: Int) throws(ChexpertError) in
                let path = PathBuffer()
                try self.layout.imagePath(of: table.name(at: row), into: path)
                let stat = Fingerprint.fileStat(path)
                entries[first + row].fileBytes = stat.bytes
                entries[first + row].modifiedNanoseconds = stat.modified
                let shape = try worker.decoder.load(table, index: row, layout: self.layout, settings: headerSettings)
                let plane = geometry.planeShape(shape)
                entries[first + row].height = UInt32(plane.height)
                entries[first + row].width = UInt32(plane.width)
            }
            let workers = try ParallelWorkers.workerCount(requested: threads, items: table.count)
            if substitute {
                let failed = try BatchRunner.runCollectingDataErrors(count: table.count, workers: workers, keepingMessages: false,
                                                                     locate: locate, body)
                for row in 0 ..< table.count where failed.failed(row) {
                    entries[first + row].failure = failed[row].map(CacheFailure.code) ?? 2
                    entries[first + row].height = 0
                    entries[first + row].width = 0
                }
            } else {
                try BatchRunner.run(count: table.count, workers: workers, locate: locate, body)
            }
        }

        // Offsets: planes 64-byte aligned after the page-aligned index.
        let indexBytes = total.multipliedReportingOverflow(by: CacheFormat.entryBytes)
        guard !indexBytes.overflow,
              let dataOffset = CacheFormat.aligned(CacheFormat.headerBytes + indexBytes.partialValue, CacheFormat.pageBytes) else {
            throw ChexpertError(.limit, "a packed cache of \(total) examples is too large")
        }
        var cursor = dataOffset, failedCount = 0
        for index in 0 ..< total {
            if entries[index].failure != 0 {
                failedCount += 1
                continue
            }
            guard let start = CacheFormat.aligned(cursor, CacheFormat.planeAlignment) else {
                throw ChexpertError(.limit, "the packed cache is too large")
            }
            entries[index].offset = UInt64(start)
            let (end, overflow) = start.addingReportingOverflow(entries[index].planeBytes)
            guard !overflow else { throw ChexpertError(.limit, "the packed cache is too large") }
            cursor = end
        }
        guard let fileBytes = CacheFormat.aligned(cursor, CacheFormat.pageBytes) else {
            throw ChexpertError(.limit, "the packed cache is too large")
        }

        let file = try CacheFile(finalPath: pathBytes)
        var done = false
        defer { if !done { file.discard() } }
        try file.truncate(to: fileBytes)

        // Pass 2: decode, resample and write each plane.
        for split in splits {
            let table = table(split), first = records[split.rawValue].firstEntry
            let locate = { (position: Int) in "example \(position) of '\(split.name)'" }
            let workers = try ParallelWorkers.workerCount(requested: threads, items: table.count)
            try BatchRunner.run(count: table.count, workers: workers, locate: locate) { (worker, row) throws(ChexpertError) in
                let entry = entries[first + row]
                if entry.failure == 0 {
                    try self.writePlane(worker, table: table, row: row, entry: entry, geometry: geometry, dct: dct,
                                        settings: headerSettings, file: file)
                }
                if let progress { cxp_atomic_add_i64(OpaquePointer(progress).toLongLong, 1) }
            }
        }

        // Header and index last, then durable, then visible.
        let metaBytes = dataOffset
        let meta = try CheckedAllocation.allocateOrThrow(bytes: metaBytes, for: "the packed cache's header and index")
        defer { CheckedAllocation.free(meta) }
        meta.initializeMemory(as: UInt8.self, repeating: 0, count: metaBytes)
        let page = UnsafeMutableRawBufferPointer(start: meta, count: metaBytes)
        var writer = LittleEndianWriter(page)
        for index in 0 ..< total {
            entries[index].encode(into: &writer, at: CacheFormat.headerBytes + index * CacheFormat.entryBytes)
        }
        var header = CacheHeader(fileBytes: Int64(fileBytes), geometry: geometry, dct: dct, selectionMask: selection.mask,
                                 entryCount: total, dataOffset: Int64(dataOffset), failedCount: failedCount, splits: records)
        header.encode(into: UnsafeMutableRawBufferPointer(rebasing: page[0 ..< CacheFormat.headerBytes]))
        header.checksum = PackedCache.checksum(UnsafeRawBufferPointer(page), indexEnd: header.indexEnd)
        header.encode(into: UnsafeMutableRawBufferPointer(rebasing: page[0 ..< CacheFormat.headerBytes]))
        try file.write(UnsafeRawBufferPointer(page), at: 0)
        try file.commit()
        done = true
    }

    /// Decodes row `row`, resamples it to its plane and writes the plane at
    /// its offset.
    private func writePlane(_ worker: BatchWorker, table: SplitTable, row: Int, entry: CacheEntry, geometry: CacheGeometry,
                            dct: DCTMethod, settings: ReadSettings, file: CacheFile) throws(ChexpertError) {
        let decoder = worker.decoder
        let shape = try decoder.load(table, index: row, layout: layout, settings: settings)
        let plane = ImageShape(height: Int(entry.height), width: Int(entry.width))
        guard geometry.planeShape(shape) == plane else {
            throw ChexpertError(.io, "\(decoder.displayPath(layout)) changed while the packed cache was built")
        }
        let fit = FitGeometry(fit: geometry.planeFit, source: shape, height: plane.height, width: plane.width)
        try Resampler.checkScratch(source: shape, channels: 1, geometry: fit, filter: geometry.filter,
                                   file: decoder.displayPath(layout))
        let planeBytes = plane.height * plane.width
        let pixels = try worker.pixels.reserve(shape.height * shape.width + planeBytes,
                                               for: "the pixels of \(decoder.displayPath(layout))")
        try decoder.decodeLoaded(shape: shape, dct: dct, grey: true, into: pixels, layout: layout)
        let output = pixels + shape.height * shape.width
        let spec = try ResizeSpec(height: plane.height, width: plane.width, channels: 1, layout: .nhwc,
                                  elementType: .uint8, fit: geometry.planeFit, filter: geometry.filter)
        let writer = ResizedWriter(spec: spec)
        writer.writePadding(fit, to: output)
        try worker.resampler.resample(pixels, source: shape, channels: 1, geometry: fit, filter: geometry.filter,
                                      file: decoder.displayPath(layout)) { ry, values in
            writer.writeRegionRow(ry, values, sourceChannels: 1, fit, to: output)
        }
        try file.write(UnsafeRawBufferPointer(start: output, count: planeBytes), at: Int(clamping: entry.offset))
    }
}

private extension OpaquePointer {
    var toLongLong: UnsafeMutablePointer<CLongLong> { UnsafeMutablePointer<CLongLong>(self) }
}

/// The temporary file a cache is written to, renamed over the final path on
/// `commit`, removed by `discard`.
final class CacheFile: @unchecked Sendable {
    private let finalPath: [CChar]
    private let temporaryPath: [CChar]
    private let display: String
    private var fd: Int32

    /// Creates `<path>.tmp-<pid>-<n>` next to `path` (O_EXCL, mode 0644
    /// before the umask).
    init(finalPath bytes: [UInt8]) throws(ChexpertError) {
        display = DatasetLayout.display(bytes)
        finalPath = bytes.map { CChar(bitPattern: $0) } + [0]
        var attempt = 0
        while true {
            let suffix = Array(".tmp-\(getpid())-\(attempt)".utf8).map { CChar(bitPattern: $0) }
            let candidate = bytes.map { CChar(bitPattern: $0) } + suffix + [0]
            let opened = candidate.withUnsafeBufferPointer { chars -> Int32 in
                guard let base = chars.baseAddress else { return -1 }
                return open(base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
            if opened >= 0 {
                temporaryPath = candidate
                fd = opened
                return
            }
            let err = errno
            guard err == EEXIST, attempt < 100 else {
                throw ChexpertError(err == ENOENT || err == ENOTDIR ? .notFound : .io,
                                    "\(display): cannot create the packed cache's temporary file: \(FileReader.describe(errno: err))")
            }
            attempt += 1
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    func truncate(to bytes: Int) throws(ChexpertError) {
        guard ftruncate(fd, off_t(bytes)) == 0 else {
            throw ChexpertError(.io, "\(display): cannot size the packed cache to \(bytes) bytes: \(FileReader.describe(errno: errno))")
        }
    }

    /// Writes all of `bytes` at `offset` (retrying short writes and EINTR).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(ChexpertError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                throw ChexpertError(.io, "\(display): write failed: \(FileReader.describe(errno: err))")
            }
            if n == 0 { throw ChexpertError(.io, "\(display): write wrote nothing") }
            done += n
        }
    }

    /// fsync, close, rename over the final path, fsync the folder.
    func commit() throws(ChexpertError) {
        guard fsync(fd) == 0 else {
            throw ChexpertError(.io, "\(display): fsync failed: \(FileReader.describe(errno: errno))")
        }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw ChexpertError(.io, "\(display): close failed: \(FileReader.describe(errno: errno))") }
        let renamed = temporaryPath.withUnsafeBufferPointer { from in
            finalPath.withUnsafeBufferPointer { to in
                guard let from = from.baseAddress, let to = to.baseAddress else { return Int32(-1) }
                return rename(from, to)
            }
        }
        guard renamed == 0 else {
            throw ChexpertError(.io, "\(display): cannot rename the temporary file over it: \(FileReader.describe(errno: errno))")
        }
        // The folder entry durable too (best effort: some file systems refuse).
        var folder = Array(finalPath.dropLast())
        if let slash = folder.lastIndex(of: CChar(bitPattern: UInt8(ascii: "/"))) {
            folder = slash == 0 ? [CChar(bitPattern: UInt8(ascii: "/"))] : Array(folder[..<slash])
        } else {
            folder = [CChar(bitPattern: UInt8(ascii: "."))]
        }
        folder.append(0)
        let dfd = folder.withUnsafeBufferPointer { chars in chars.baseAddress.map { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1 }
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Closes and removes the temporary file (after a failure).
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        _ = temporaryPath.withUnsafeBufferPointer { chars in chars.baseAddress.map { unlink($0) } }
    }
}
