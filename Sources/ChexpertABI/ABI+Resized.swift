import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_resize_output_bytes(_ params: UnsafePointer<Int64>?, _ paramCount: Int, _ count: Int,
                                         _ outBytes: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let out = try required(outBytes, "out_bytes")
        let spec = try resizeSpec(params, paramCount, nil, nil, 0, sizingOnly: true)
        let count = try size(count, "count")
        out.pointee = try core { () throws(ChexpertError) in try spec.bytes(count: count) }
    }
}

@c @implementation
public func chexpert_batch_read_resized(_ ds: OpaquePointer?, _ split: CInt,
                                        _ indices: UnsafePointer<Int64>?, _ count: Int,
                                        _ params: UnsafePointer<Int64>?, _ paramCount: Int,
                                        _ mean: UnsafePointer<Float>?, _ std: UnsafePointer<Float>?, _ statsCount: Int,
                                        _ out: UnsafeMutableRawPointer?, _ outCapacityBytes: Int,
                                        _ labels: UnsafeMutablePointer<Int64>?, _ labelsCapacity: Int,
                                        _ views: UnsafeMutablePointer<Int32>?, _ viewsCapacity: Int,
                                        _ numThreads: CInt) -> CInt {
    return entry { () throws(Failure) in
        try LastSubstitutions.set([])
        let (dataset, split, _, indices) = try batchArguments(ds, split, indices, count)
        let spec = try resizeSpec(params, paramCount, mean, std, statsCount)
        let capacity = try size(outCapacityBytes, "out_capacity_bytes")
        if out == nil, capacity > 0 { throw Failure(CHEXPERT_E_NULL_POINTER, "out is NULL but its capacity is \(capacity)") }
        let output = out.map { UnsafeMutableRawBufferPointer(start: $0, count: capacity) }
        let labels = try optionalBuffer(labels, labelsCapacity, "labels")
        let views = try optionalBuffer(views, viewsCapacity, "views")
        let substituted = try core { () throws(ChexpertError) in
            try dataset.batchReadResized(split: split, indices: indices, spec: spec, output: output,
                                         labels: labels, views: views, threads: numThreads)
        }
        try LastSubstitutions.set(substituted.map { ($0.position, Failure($0.error).status.rawValue) })
    }
}

@c @implementation
public func chexpert_last_substitutions(_ positions: UnsafeMutablePointer<Int64>?,
                                        _ statuses: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                                        _ outCount: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let list = LastSubstitutions.current
        outCount?.pointee = list.positions.count
        let capacity = try size(capacity, "capacity")
        if capacity > 0 && (positions == nil || statuses == nil) {
            throw Failure(CHEXPERT_E_NULL_POINTER, "positions and statuses must both be given with capacity \(capacity)")
        }
        guard capacity >= list.positions.count else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "the last batch substituted \(list.positions.count) examples; capacity is \(capacity)")
        }
        for i in 0 ..< list.positions.count {
            positions?[i] = list.positions[i]
            statuses?[i] = list.statuses[i]
        }
    }
}

/// The `ResizeSpec` of a call's `params`, `mean`, `std`.
private func resizeSpec(_ params: UnsafePointer<Int64>?, _ paramCount: Int, _ mean: UnsafePointer<Float>?,
                        _ std: UnsafePointer<Float>?, _ statsCount: Int, sizingOnly: Bool = false) throws(Failure) -> ResizeSpec {
    let pairs = try inputBuffer(params, try size(paramCount, "param_count"), "params")
    let stats = try size(statsCount, "stats_count")
    let means = try stats == 0 && mean == nil ? nil : inputBuffer(mean, stats, "mean")
    let stds = try stats == 0 && std == nil ? nil : inputBuffer(std, stats, "std")
    return try core { () throws(ChexpertError) in
        try ResizeSpec(params: pairs, mean: means, std: stds, sizingOnly: sizingOnly)
    }
}
