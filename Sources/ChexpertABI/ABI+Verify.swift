import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_batch_verify(_ ds: OpaquePointer?, _ split: CInt,
                                  _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                  _ statuses: UnsafeMutablePointer<Int32>?, _ messages: UnsafeMutablePointer<CChar>?,
                                  _ messageStride: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
        let values = try ParamSet.values(params)
        // NULL only for an empty batch, like `indices`.
        let statuses = try optionalBuffer(statuses, indices.count, "statuses")
        let stride = try size(messageStride, "message_stride")
        if messages != nil, stride == 0 {
            throw ChexpertError(.invalidArgument, "message_stride is 0 but messages is not NULL")
        }
        if messages != nil {
            let (_, overflow) = indices.count.multipliedReportingOverflow(by: stride)
            guard !overflow else { throw ChexpertError(.invalidArgument, "count * message_stride overflows size_t") }
        }
        let results = try dataset.batchVerify(split: split, indices: indices, dct: try values.dct(),
                                              threads: values.threads)
        for position in 0 ..< indices.count {
            let error = position < results.count ? results[position] : nil
            statuses?[position] = error?.status.rawValue ?? CHEXPERT_OK.rawValue
            if let messages {
                writeCut(error?.message ?? "", to: messages + position * stride, capacity: stride)
            }
        }
    }
}

/// Writes `message` NUL-terminated into `capacity` bytes (at least 1), cut
/// at a UTF-8 character boundary to fit.
func writeCut(_ message: String, to out: UnsafeMutablePointer<CChar>, capacity: Int) {
    let utf8 = Array(message.utf8)
    var length = Swift.min(utf8.count, capacity - 1)
    // Back up over continuation bytes (10xxxxxx) so a character is never split.
    if length < utf8.count {
        while length > 0, utf8[length] & 0xC0 == 0x80 { length -= 1 }
    }
    for i in 0 ..< length { out[i] = CChar(bitPattern: utf8[i]) }
    out[length] = 0
}
