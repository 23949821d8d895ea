/// How a study's image scores combine (C: `chexpert_aggregate`).
package enum ScoreAggregation: CaseIterable, Sendable {
    /// The largest score (the CheXpert competition's rule); NaN if any is NaN.
    case max
    /// The arithmetic mean, summed in row order.
    case mean

    /// Study-level scores: `out[s * columns + c]` combines column `c` of the
    /// rows of `scores` (row-major, `table.count` rows) whose study ordinal
    /// is `s`. C: `chexpert_aggregate_scores`.
    /// - Parameter out: at least `studies.studyCount * columns` elements.
    /// - Throws: `.noMemory` (a count per study, checked, freed before
    ///   return).
    package func aggregate(_ scores: UnsafeBufferPointer<Double>, columns: Int, studies: StudyIndex,
                           into out: UnsafeMutableBufferPointer<Double>) throws(ChexpertError) {
        let studyCount = studies.studyCount
        let counts = try UnsafeMutablePointer<Int>.allocateChecked(Swift.max(studyCount, 1), for: "the study sizes")
        defer { counts.deallocateChecked() }
        counts.initialize(repeating: 0, count: studyCount)
        for s in 0 ..< studyCount * columns { out[s] = self == .max ? -.infinity : 0 }
        for row in 0 ..< studies.count {
            let s = studies[row]
            counts[s] += 1
            for c in 0 ..< columns {
                let value = scores[row * columns + c]
                let at = s * columns + c
                switch self {
                case .max: if value.isNaN || value > out[at] { out[at] = out[at].isNaN ? out[at] : value }
                case .mean: out[at] += value
                }
            }
        }
        if self == .mean {
            for s in 0 ..< studyCount where counts[s] > 0 {
                for c in 0 ..< columns { out[s * columns + c] /= Double(counts[s]) }
            }
        }
    }
}
