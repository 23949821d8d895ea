import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_resize_output_bytes(_ params: OpaquePointer?, _ count: Int,
                                         _ outBytes: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let spec = try ParamSet.values(params).resizeSpec(checkingStatistics: false)
        let count = try size(count, "count")
        let out = try required(outBytes, "out_bytes")
        out.pointee = try spec.bytes(count: count)
    }
}

@c @implementation
public func chexpert_batch_resized(_ ds: OpaquePointer?, _ split: CInt,
                                   _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                   _ out: UnsafeMutableRawPointer?, _ capacityBytes: Int,
                                   _ statuses: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
        let values = try ParamSet.values(params)
        var spec = try values.resizeSpec(checkingStatistics: true)
        spec.augment = try values.augmentParams()
        let capacity = try size(capacityBytes, "capacity_bytes")
        if out == nil, capacity > 0 { throw ChexpertError(.nullPointer, "out is NULL but its capacity is \(capacity)") }
        let output = UnsafeMutableRawBufferPointer(start: out, count: out == nil ? 0 : capacity)
        let statusBuffer = statuses.map { UnsafeMutableBufferPointer(start: $0, count: indices.count) }
        let errors = try dataset.batchResized(split: split, indices: indices, spec: spec, output: output,
                                              threads: values.threads)
        if let statusBuffer {
            for position in 0 ..< statusBuffer.count {
                let error = position < errors.count ? errors[position] : nil
                statusBuffer[position] = error?.status.rawValue ?? CHEXPERT_OK.rawValue
            }
        }
    }
}
