import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_shard_indices(_ params: OpaquePointer?, _ count: Int64,
                                   _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int,
                                   _ outCount: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let order = try ParamSet.values(params).shardOrder(count: count)
        let buffer = try optionalBuffer(out, capacity, "out")
        outCount?.pointee = order.shardCount
        guard let buffer else { return }  // size query
        try order.write(into: buffer)
    }
}
