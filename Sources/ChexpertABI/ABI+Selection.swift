import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_dataset_open_with(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ root: UnsafePointer<CChar>?,
                                       _ params: UnsafePointer<Int64>?, _ paramCount: Int) -> CInt {
    entry { () throws(Failure) in
        let out = try required(out, "out")
        out.pointee = nil
        let pairs = try inputBuffer(params, try size(paramCount, "param_count"), "params")
        let rootPath = root.map(rootBytes)
        let dataset = try core { () throws(ChexpertError) in
            let options = try OpenOptions(params: pairs)
            return try Dataset(rootBytes: rootPath, selection: options.selection, options: options.decode)
        }
        out.pointee = try HandleRegistry.shared.register(dataset)
    }
}

@c @implementation
public func chexpert_split_projection_counts(_ ds: OpaquePointer?, _ split: CInt,
                                             _ outCounts: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(Failure) in
        let (_, _, table) = try splitTable(ds, split)
        let counts = table.csvProjectionCounts
        guard let buffer = try optionalBuffer(outCounts, capacity, "out_counts"), buffer.count >= counts.count else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "out_counts holds \(capacity) elements; CHEXPERT_PROJECTION_COUNT is \(counts.count)")
        }
        for (i, value) in counts.enumerated() { buffer[i] = Int64(value) }
    }
}

@c @implementation
public func chexpert_batch_projections(_ ds: OpaquePointer?, _ split: CInt,
                                       _ indices: UnsafePointer<Int64>?, _ count: Int,
                                       _ out: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, table, indices) = try batchArguments(ds, split, indices, count)
        let output = try optionalBuffer(out, indices.count, "out")
        let rows = try core { () throws(ChexpertError) in try dataset.checkedRows(indices, table: table, split: split) }
        for (position, row) in rows.enumerated() { output?[position] = Int32(table.projection(at: row)) }
    }
}
