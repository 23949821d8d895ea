import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_batch_resized_start(_ ds: OpaquePointer?, _ split: CInt,
                                         _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                         _ out: UnsafeMutableRawPointer?, _ capacityBytes: Int,
                                         _ statuses: UnsafeMutablePointer<Int32>?,
                                         _ outJob: UnsafeMutablePointer<OpaquePointer?>?) -> CInt {
    entry { () throws(ChexpertError) in
        let jobOut = try required(outJob, "out_job")
        jobOut.pointee = try BatchJob.start(try ResizedCall(ds, split, indices, count, params, out, capacityBytes,
                                                            statuses))
    }
}

@c @implementation
public func chexpert_batch_images_start(_ ds: OpaquePointer?, _ split: CInt,
                                        _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                        _ out: UnsafeMutablePointer<UInt8>?, _ capacityBytes: Int,
                                        _ outShapes: UnsafeMutablePointer<Int32>?,
                                        _ outJob: UnsafeMutablePointer<OpaquePointer?>?) -> CInt {
    entry { () throws(ChexpertError) in
        let jobOut = try required(outJob, "out_job")
        jobOut.pointee = try BatchJob.start(try ImagesCall(ds, split, indices, count, params, out, capacityBytes,
                                                           outShapes))
    }
}

@c @implementation
public func chexpert_job_wait(_ job: OpaquePointer?) -> CInt {
    entry { () throws(ChexpertError) in
        try HandleRegistry.shared.takeJob(job).wait()
    }
}

@c @implementation
public func chexpert_job_done(_ job: OpaquePointer?, _ outDone: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let found = try HandleRegistry.shared.job(job)
        try required(outDone, "out_done").pointee = found.isDone ? 1 : 0
    }
}
