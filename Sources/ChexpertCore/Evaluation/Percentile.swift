/// numpy's default percentile (`method="linear"`, R's type 7): with `m`
/// sorted values a[0] <= ... <= a[m-1], the q-quantile is at h = (m - 1) q:
/// a[floor(h)] + (h - floor(h)) (a[floor(h) + 1] - a[floor(h)]).
enum Percentile {
    /// - Parameter sorted: ascending, at least one value.
    static func linear(_ sorted: UnsafeBufferPointer<Double>, _ q: Double) -> Double {
        let m = sorted.count
        guard m > 0 else { return .nan }
        let h = Double(m - 1) * q
        let low = Swift.min(Swift.max(Int(h.rounded(.down)), 0), m - 1)
        let high = Swift.min(low + 1, m - 1)
        let t = h - Double(low)
        let a = sorted[low], b = sorted[high]
        // numpy's _lerp: a + (b - a) t, computed from b when t >= 0.5.
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }
}
