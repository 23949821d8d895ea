import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_batch_images(_ ds: OpaquePointer?, _ split: CInt,
                                  _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                  _ out: UnsafeMutablePointer<UInt8>?, _ capacityBytes: Int,
                                  _ outShapes: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        try ImagesCall(ds, split, indices, count, params, out, capacityBytes, outShapes).run()
    }
}

/// The arguments of `chexpert_batch_images`, checked and converted, and the
/// call itself.
struct ImagesCall: BatchCall {
    let dataset: Dataset
    let split: Split
    var indices: UnsafeBufferPointer<Int64>
    let dct: DCTMethod?
    let threads: Int
    let output: UnsafeMutableBufferPointer<UInt8>?
    let shapes: UnsafeMutableBufferPointer<Int32>?

    /// - Throws: `.nullPointer`, `.closed`, `.invalidArgument`.
    init(_ ds: OpaquePointer?, _ split: CInt, _ indices: UnsafePointer<Int64>?, _ count: Int,
         _ params: OpaquePointer?, _ out: UnsafeMutablePointer<UInt8>?, _ capacityBytes: Int,
         _ outShapes: UnsafeMutablePointer<Int32>?) throws(ChexpertError) {
        (dataset, self.split, self.indices) = try batchArguments(ds, split, indices, count)
        let values = try ParamSet.values(params)
        output = try optionalBuffer(out, capacityBytes, "out")
        let (shapeCount, overflow) = self.indices.count.multipliedReportingOverflow(by: 2)
        guard !overflow else { throw ChexpertError(.invalidArgument, "count = \(self.indices.count) is too large for out_shapes (2 * count)") }
        shapes = outShapes.map { UnsafeMutableBufferPointer(start: $0, count: shapeCount) }
        dct = try values.dct()
        threads = values.threads
    }

    /// What the call checks before reading anything (indices, threads).
    /// - Returns: the threads the call will use.
    func check() throws(ChexpertError) -> Int {
        try dataset.checkedBatch(indices, split: split, threads: threads).workers
    }

    func run() throws(ChexpertError) {
        try dataset.batchImages(split: split, indices: indices, dct: dct, threads: threads, out: output, shapes: shapes)
    }
}

@c @implementation
public func chexpert_batch_labels(_ ds: OpaquePointer?, _ split: CInt,
                                  _ indices: UnsafePointer<Int64>?, _ count: Int,
                                  _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
        let output = try optionalBuffer(out, capacity, "out")
        let table = dataset.table(split)
        let rows = try dataset.checkedRows(indices, split: split)
        guard let output else { return }  // skipped
        let (needed, overflow) = rows.count.multipliedReportingOverflow(by: table.labelCount)
        guard !overflow, output.count >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out holds \(output.count) elements; \(rows.count) examples x \(table.labelCount) labels need \(needed)")
        }
        var at = 0
        for row in rows {
            for value in table.labels(at: row) {
                output[at] = Int64(value)
                at += 1
            }
        }
    }
}

@c @implementation
public func chexpert_batch_views(_ ds: OpaquePointer?, _ split: CInt,
                                 _ indices: UnsafePointer<Int64>?, _ count: Int,
                                 _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        try writePerExample(ds, split, indices, count, out, capacity) { table, row in Int64(table.view(at: row)) }
    }
}

@c @implementation
public func chexpert_batch_projections(_ ds: OpaquePointer?, _ split: CInt,
                                       _ indices: UnsafePointer<Int64>?, _ count: Int,
                                       _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        try writePerExample(ds, split, indices, count, out, capacity) { table, row in Int64(table.projection(at: row)) }
    }
}

/// Writes one int64 per example (`value` of its row) after checking every
/// index and the capacity.
/// - Throws: as `batchArguments`, `.outOfRange`, `.bufferTooSmall`.
func writePerExample(_ ds: OpaquePointer?, _ split: CInt, _ indices: UnsafePointer<Int64>?, _ count: Int,
                             _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int,
                             _ value: (SplitTable, Int) -> Int64) throws(ChexpertError) {
    let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
    let output = try optionalBuffer(out, capacity, "out")
    let rows = try dataset.checkedRows(indices, split: split)
    guard let output else { return }  // skipped
    guard output.count >= rows.count else {
        throw ChexpertError(.bufferTooSmall(needed: rows.count),
                            "out holds \(output.count) elements; \(rows.count) examples need \(rows.count)")
    }
    let table = dataset.table(split)
    for (position, row) in rows.enumerated() { output[position] = value(table, row) }
}

@c @implementation
public func chexpert_batch_names(_ ds: OpaquePointer?, _ split: CInt,
                                 _ indices: UnsafePointer<Int64>?, _ count: Int,
                                 _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                 _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
        let buffer = try optionalBuffer(out, capacity, "out")
        let table = dataset.table(split)
        let rows = try dataset.checkedRows(indices, split: split)
        var needed = 0
        for row in rows {
            let (sum, overflow) = needed.addingReportingOverflow(table.name(at: row).count + 1)
            guard !overflow else { throw ChexpertError(.invalidArgument, "the names of \(rows.count) examples overflow size_t") }
            needed = sum
        }
        outSize?.pointee = needed
        guard let buffer else { return }  // size query
        guard buffer.count >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "the \(rows.count) names need \(needed) bytes (NULs included); out holds \(buffer.count)")
        }
        var at = 0
        for row in rows {
            for byte in table.name(at: row) {
                buffer[at] = CChar(bitPattern: byte)
                at += 1
            }
            buffer[at] = 0
            at += 1
        }
    }
}
