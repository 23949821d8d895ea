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
        try ResizedCall(ds, split, indices, count, params, out, capacityBytes, statuses).run()
    }
}

/// The arguments of `chexpert_batch_resized`, checked and converted (handles
/// looked up, parameters copied), and the call itself.
struct ResizedCall: BatchCall {
    let dataset: Dataset
    let split: Split
    var indices: UnsafeBufferPointer<Int64>
    let spec: ResizeSpec
    let threads: Int
    let output: UnsafeMutableRawBufferPointer
    let statuses: UnsafeMutablePointer<Int32>?

    /// - Throws: `.nullPointer`, `.closed`, `.invalidArgument`.
    init(_ ds: OpaquePointer?, _ split: CInt, _ indices: UnsafePointer<Int64>?, _ count: Int,
         _ params: OpaquePointer?, _ out: UnsafeMutableRawPointer?, _ capacityBytes: Int,
         _ statuses: UnsafeMutablePointer<Int32>?) throws(ChexpertError) {
        (dataset, self.split, self.indices) = try batchArguments(ds, split, indices, count)
        let values = try ParamSet.values(params)
        var spec = try values.resizeSpec(checkingStatistics: true)
        spec.augment = try values.augmentParams()
        self.spec = spec
        threads = values.threads
        let capacity = try size(capacityBytes, "capacity_bytes")
        if out == nil, capacity > 0 { throw ChexpertError(.nullPointer, "out is NULL but its capacity is \(capacity)") }
        output = UnsafeMutableRawBufferPointer(start: out, count: out == nil ? 0 : capacity)
        self.statuses = statuses
    }

    /// What the call checks before reading anything (indices, capacity).
    /// - Returns: the threads the call will use.
    func check() throws(ChexpertError) -> Int {
        try dataset.checkedResizedBatch(split: split, indices: indices, spec: spec, output: output, threads: threads).workers
    }

    /// Reads the batch; writes `statuses` if given.
    func run() throws(ChexpertError) {
        let errors = try dataset.batchResized(split: split, indices: indices, spec: spec, output: output,
                                              threads: threads)
        guard let statuses else { return }
        for position in 0 ..< indices.count {
            let error = position < errors.count ? errors[position] : nil
            statuses[position] = error?.status.rawValue ?? CHEXPERT_OK.rawValue
        }
    }
}
