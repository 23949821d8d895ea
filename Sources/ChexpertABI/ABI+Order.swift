import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_shard_indices(_ count: Int64, _ seed: UInt64, _ epoch: UInt64, _ shuffle: CInt,
                                   _ start: Int64, _ rank: Int32, _ world: Int32, _ remainder: CInt,
                                   _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int,
                                   _ outCount: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let order = try core { () throws(ChexpertError) in
            try ShardOrder(count: count, seed: seed, epoch: epoch, shuffle: shuffle, start: start,
                           rank: rank, world: world, remainder: remainder)
        }
        let needed = order.shardCount
        outCount?.pointee = needed
        let buffer = try optionalBuffer(out, capacity, "out")
        guard (buffer?.count ?? 0) >= needed else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL, "out holds \(capacity) indices; rank \(rank) of \(world) gets \(needed)")
        }
        guard let buffer else { return }
        try core { () throws(ChexpertError) in try order.write(into: buffer) }
    }
}
