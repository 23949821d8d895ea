import Glibc

/// One rank's example indices for one epoch: the algorithm `chexpert.h`
/// pins for `chexpert_shard_indices` (CHEXPERT_ORDER_VERSION 1).
public struct ShardOrder: Sendable {
    /// What a shard does with examples that do not divide evenly among the
    /// ranks. Raw values are the `chexpert_remainder` constants.
    public enum Remainder: Int32, Sendable {
        case pad = 0
        case drop = 1
        case uneven = 2
    }

    /// Largest `count` accepted (the shuffle's scratch is 4 bytes per example).
    public static let maxCount: Int64 = 1 << 30

    public let count: Int
    public let seed: UInt64
    public let epoch: UInt64
    public let shuffle: Bool
    public let start: Int
    public let rank: Int
    public let world: Int
    public let remainder: Remainder

    /// - Throws: `.limit` for `count`, `.invalidArgument` naming any other
    ///   argument out of its domain.
    public init(count: Int64, seed: UInt64, epoch: UInt64, shuffle: Int32, start: Int64,
                rank: Int32, world: Int32, remainder: Int32) throws(ChexpertError) {
        guard count >= 0 else { throw ChexpertError(.invalidArgument, "count = \(count) is negative") }
        guard count <= Self.maxCount else {
            throw ChexpertError(.limit, "count = \(count) exceeds the order's limit of \(Self.maxCount) examples")
        }
        guard shuffle == 0 || shuffle == 1 else { throw ChexpertError(.invalidArgument, "shuffle = \(shuffle) is neither 0 nor 1") }
        guard start >= 0, start <= count else {
            throw ChexpertError(.invalidArgument, "start = \(start) is outside 0 ... count (\(count))")
        }
        guard world >= 1 else { throw ChexpertError(.invalidArgument, "world = \(world) is below 1") }
        guard rank >= 0, rank < world else { throw ChexpertError(.invalidArgument, "rank = \(rank) is outside 0 ..< world (\(world))") }
        guard let remainder = Remainder(rawValue: remainder) else {
            throw ChexpertError(.invalidArgument, "remainder = \(remainder) is not a chexpert_remainder (0 pad, 1 drop, 2 uneven)")
        }
        self.count = Int(count)
        self.seed = seed
        self.epoch = epoch
        self.shuffle = shuffle == 1
        self.start = Int(start)
        self.rank = Int(rank)
        self.world = Int(world)
        self.remainder = remainder
    }

    /// Length of the dealt sequence (the rest, shaped by `remainder`).
    private var dealtLength: Int {
        let rest = count - start
        switch remainder {
        case .pad: return (rest + world - 1) / world * world
        case .drop: return rest / world * world
        case .uneven: return rest
        }
    }

    /// Number of indices this rank gets.
    public var shardCount: Int {
        let dealt = dealtLength
        return dealt > rank ? (dealt - rank - 1) / world + 1 : 0
    }

    /// Writes the rank's `shardCount` indices to `out`.
    /// - Precondition: `out.count >= shardCount`.
    /// - Throws: `.noMemory` when the shuffle's scratch cannot be allocated.
    public func write(into out: UnsafeMutableBufferPointer<Int64>) throws(ChexpertError) {
        let n = shardCount
        if n == 0 { return }
        let rest = count - start
        if !shuffle {
            for k in 0 ..< n {
                let position = rank + k * world
                out[k] = Int64(position < rest ? start + position : (position - rest) % count)
            }
            return
        }
        guard let permutation = UnsafeMutablePointer<UInt32>.allocateChecked(count) else {
            throw ChexpertError(.noMemory, "cannot allocate the \(count * 4)-byte shuffle scratch for \(count) examples")
        }
        defer { free(permutation) }
        for i in 0 ..< count { permutation[i] = UInt32(truncatingIfNeeded: i) }
        var random = SplitMix64(seed: seed ^ SplitMix64.mix(epoch))
        var i = count - 1
        while i > 0 {
            let j = Int(truncatingIfNeeded: random.next(uniformBelow: UInt64(i + 1)))
            permutation.swapAt(i, j)
            i -= 1
        }
        for k in 0 ..< n {
            let position = rank + k * world
            let source = position < rest ? start + position : (position - rest) % count
            out[k] = Int64(permutation[source])
        }
    }
}

extension UnsafeMutablePointer {
    /// `count` uninitialised elements from malloc, or nil when it fails
    /// (Swift's own allocation would trap).
    static func allocateChecked(_ count: Int) -> UnsafeMutablePointer<Pointee>? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Pointee>.stride)
        guard !overflow, let raw = malloc(Swift.max(bytes, 1)) else { return nil }
        return raw.bindMemory(to: Pointee.self, capacity: count)
    }

    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
