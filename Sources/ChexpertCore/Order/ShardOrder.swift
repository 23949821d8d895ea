import Glibc

/// One rank's example indices for one epoch: the algorithm `chexpert.h`
/// pins for `chexpert_shard_indices` (CHEXPERT_ORDER_VERSION 1).
package struct ShardOrder: Sendable {
    /// What a shard does with examples that do not divide evenly among the
    /// ranks. The C API's `chexpert_remainder` constants map to it in
    /// ChexpertABI.
    package enum Remainder: Sendable, CaseIterable {
        case pad
        case drop
        case uneven
    }

    /// Largest `count` accepted (`CHEXPERT_MAX_SHARD_COUNT`; the shuffle's
    /// scratch is 4 bytes per example).
    package static let maxCount: Int64 = 1 << 30
    /// Largest `world` accepted (`CHEXPERT_MAX_WORLD`).
    package static let maxWorld: Int64 = 1 << 30

    package let count: Int
    package let seed: UInt64
    package let epoch: UInt64
    package let shuffle: Bool
    package let start: Int
    package let rank: Int
    package let world: Int
    package let remainder: Remainder

    /// One rank's order. C: `chexpert_shard_indices`.
    /// - Parameters:
    ///   - count: examples in the split, 0 ... `maxCount`.
    ///   - start: resume position, 0 ... `count`.
    ///   - rank: 0 ..< `world`.
    ///   - world: 1 ... `maxWorld`.
    /// - Throws: `.limit` for `count` above `maxCount`, `.invalidArgument`
    ///   naming any other argument out of its domain.
    package init(count: Int64, seed: UInt64 = 0, epoch: UInt64 = 0, shuffle: Bool = false, start: Int64 = 0,
                rank: Int64 = 0, world: Int64 = 1, remainder: Remainder = .pad) throws(ChexpertError) {
        guard count >= 0 else { throw ChexpertError(.invalidArgument, "count = \(count) is negative") }
        guard count <= Self.maxCount else {
            throw ChexpertError(.limit, "count = \(count) exceeds CHEXPERT_MAX_SHARD_COUNT (\(Self.maxCount))")
        }
        guard start >= 0, start <= count else {
            throw ChexpertError(.invalidArgument, "CHEXPERT_KEY_START = \(start) is outside 0 ... count (\(count))")
        }
        guard world >= 1, world <= Self.maxWorld else {
            throw ChexpertError(.invalidArgument, "CHEXPERT_KEY_WORLD = \(world) is outside 1 ... \(Self.maxWorld)")
        }
        guard rank >= 0, rank < world else {
            throw ChexpertError(.invalidArgument, "CHEXPERT_KEY_RANK = \(rank) is outside 0 ..< CHEXPERT_KEY_WORLD (\(world))")
        }
        self.count = Int(count)
        self.seed = seed
        self.epoch = epoch
        self.shuffle = shuffle
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
    package var shardCount: Int {
        let dealt = dealtLength
        return dealt > rank ? (dealt - rank - 1) / world + 1 : 0
    }

    /// Writes the rank's `shardCount` indices to `out`.
    /// - Throws: `.bufferTooSmall` when `out` holds fewer than `shardCount`
    ///   (nothing written); `.noMemory` when the shuffle's scratch cannot be
    ///   allocated.
    package func write(into out: UnsafeMutableBufferPointer<Int64>) throws(ChexpertError) {
        let n = shardCount
        guard out.count >= n else {
            throw ChexpertError(.bufferTooSmall(needed: n), "out holds \(out.count) indices; rank \(rank) of \(world) gets \(n)")
        }
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
        defer { permutation.deallocateChecked() }
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
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
