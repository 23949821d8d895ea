/// SplitMix64 (Steele, Lea and Flood, 2014): the only source of randomness of
/// the epoch order (`ShardOrder`) and of the sample generator.
///
/// Contract: the sequence of values is a pure function of the seed, identical on
/// every platform and Swift version (the generator deliberately does not conform
/// to `RandomNumberGenerator`, so the standard library's sampling algorithms,
/// which may change, are never involved). Not cryptographic.
package struct SplitMix64: Sendable {
    /// The current state; the next output is a function of it alone.
    package private(set) var state: UInt64

    /// - Parameter seed: any value; equal seeds give equal sequences.
    package init(seed: UInt64) {
        state = seed
    }

    /// - Returns: the next 64 uniformly distributed bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// - Returns: an integer in `0 ..< bound` (multiply-high reduction; the bias
    ///   is below 2^-32 for the small bounds used here); 0 when `bound <= 1`.
    package mutating func next(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// - Returns: an integer uniformly distributed in `0 ..< bound`, without
    ///   bias (Lemire 2019: multiply-high, rejecting the low products below
    ///   `2^64 mod bound`); `bound` must be at least 1.
    package mutating func next(uniformBelow bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// SplitMix64's output function applied to `value + 0x9E3779B97F4A7C15`:
    /// the value a generator seeded with `value` returns first.
    package static func mix(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: value)
        return generator.next()
    }

    /// - Returns: an integer in `range`.
    package mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound &+ next(below: range.upperBound &- range.lowerBound &+ 1)
    }

    /// - Returns: a double in `[0, 1)` with 53 random bits.
    package mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// - Returns: true with probability `p` (never for `p <= 0`, always for `p >= 1`).
    package mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// Derives an independent seed from a seed and a stream number (for
    /// example a split and an image index), so that streams do not overlap.
    /// - Returns: a well-mixed 64-bit value.
    package static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = generator.next()
        return generator.next()
    }
}
