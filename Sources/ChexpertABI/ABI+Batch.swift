import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_batch_shapes(_ ds: OpaquePointer?, _ split: CInt,
                                  _ indices: UnsafePointer<Int64>?, _ count: Int,
                                  _ outHeights: UnsafeMutablePointer<Int32>?,
                                  _ outWidths: UnsafeMutablePointer<Int32>?, _ numThreads: CInt) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, _, indices) = try batchArguments(ds, split, indices, count)
        let count = indices.count
        let heights = try optionalBuffer(outHeights, count, "out_heights") ?? UnsafeMutableBufferPointer(start: nil, count: 0)
        let widths = try optionalBuffer(outWidths, count, "out_widths") ?? UnsafeMutableBufferPointer(start: nil, count: 0)
        try core { () throws(ChexpertError) in
            try dataset.batchShapes(split: split, indices: indices, heights: heights, widths: widths, threads: numThreads)
        }
    }
}

@c @implementation
public func chexpert_batch_read(_ ds: OpaquePointer?, _ split: CInt,
                                _ indices: UnsafePointer<Int64>?, _ count: Int,
                                _ heights: UnsafePointer<Int32>?, _ widths: UnsafePointer<Int32>?,
                                _ images: UnsafeMutablePointer<UInt8>?, _ imagesCapacityBytes: Int,
                                _ labels: UnsafeMutablePointer<Int64>?, _ labelsCapacity: Int,
                                _ views: UnsafeMutablePointer<Int32>?, _ viewsCapacity: Int,
                                _ numThreads: CInt) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, _, indices) = try batchArguments(ds, split, indices, count)
        let count = indices.count
        let imageBuffer = try optionalBuffer(images, imagesCapacityBytes, "images")
        var shapes: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>)?
        if imageBuffer != nil {
            shapes = (try inputBuffer(heights, count, "heights"), try inputBuffer(widths, count, "widths"))
        }
        let outputs = Dataset.BatchOutputs(
            heights: shapes?.0, widths: shapes?.1,
            images: imageBuffer.map { UnsafeMutableRawBufferPointer($0) },
            labels: try optionalBuffer(labels, labelsCapacity, "labels"),
            views: try optionalBuffer(views, viewsCapacity, "views"))
        try core { () throws(ChexpertError) in
            try dataset.batchRead(split: split, indices: indices, outputs: outputs, threads: numThreads)
        }
    }
}

@c @implementation
public func chexpert_batch_names(_ ds: OpaquePointer?, _ split: CInt,
                                 _ indices: UnsafePointer<Int64>?, _ count: Int,
                                 _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                 _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, table, indices) = try batchArguments(ds, split, indices, count)
        let rows = try core { () throws(ChexpertError) in try dataset.checkedRows(indices, table: table, split: split) }
        var needed = 0
        for row in rows {
            let (sum, overflow) = needed.addingReportingOverflow(table.name(at: row).count + 1)
            guard !overflow else { throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "the names of \(rows.count) examples overflow size_t") }
            needed = sum
        }
        outSize?.pointee = needed
        let buffer = try optionalBuffer(out, capacity, "out")
        guard let buffer, buffer.count >= needed else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "the \(rows.count) names need \(needed) bytes (NULs included); out holds \(buffer?.count ?? 0)")
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

@c @implementation
public func chexpert_batch_verify(_ ds: OpaquePointer?, _ split: CInt,
                                  _ indices: UnsafePointer<Int64>?, _ count: Int,
                                  _ statuses: UnsafeMutablePointer<Int32>?, _ numThreads: CInt) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, _, indices) = try batchArguments(ds, split, indices, count)
        let out = try optionalBuffer(statuses, indices.count, "statuses")
        let results = try core { () throws(ChexpertError) in
            try dataset.batchVerify(split: split, indices: indices, threads: numThreads)
        }
        for (position, error) in results.enumerated() {
            out?[position] = error.map { Failure($0).status.rawValue } ?? CHEXPERT_OK.rawValue
        }
    }
}
