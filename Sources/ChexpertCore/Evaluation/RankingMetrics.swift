/// AUROC and average precision of scored binary samples, exactly as
/// scikit-learn's `roc_auc_score` and `average_precision_score` compute them
/// (docs/evaluation.md), over samples that may be counted several times (a
/// bootstrap resample).
package enum RankingMetrics {
    /// - Parameters:
    ///   - count: samples, sorted by score, highest first.
    ///   - score: the score of the sample at a position.
    ///   - positive: whether it is positive.
    ///   - weight: how many times it counts (0: absent).
    /// - Returns: (AUROC, AUPRC); both NaN when no positive or no negative
    ///   sample is counted.
    ///
    /// Tied scores form one threshold. AUROC is the trapezoid area under the
    /// ROC through the thresholds (a tie is one diagonal step: the
    /// Mann-Whitney statistic with ties counted half), summed exactly in
    /// integers: 2 * area * P * N = sum over thresholds of
    /// dFP * (2 * TP_before + dTP). AUPRC is sum over thresholds of
    /// (dTP / P) * TP / (TP + FP). Sums of weights stay below 2^31 (a split
    /// has fewer than 2^30 rows), so the integer sums cannot overflow.
    @inline(__always)
    static func compute(count n: Int, score: (Int) -> Double, positive: (Int) -> Bool,
                        weight: (Int) -> Int64) -> (auroc: Double, auprc: Double) {
        var truePositives: Int64 = 0, falsePositives: Int64 = 0
        var twiceArea: Int64 = 0
        var precisionSum = 0.0
        var i = 0
        while i < n {
            let value = score(i)
            var groupPositives: Int64 = 0, groupNegatives: Int64 = 0
            while i < n, score(i) == value {
                let w = weight(i)
                if positive(i) { groupPositives &+= w } else { groupNegatives &+= w }
                i += 1
            }
            twiceArea &+= groupNegatives &* (2 &* truePositives &+ groupPositives)
            truePositives &+= groupPositives
            falsePositives &+= groupNegatives
            if groupPositives > 0 {
                // dTP * precision; divided by P at the end would change the
                // rounding: scikit-learn multiplies dRecall by precision.
                precisionSum += Double(groupPositives) * (Double(truePositives) / Double(truePositives &+ falsePositives))
            }
        }
        guard truePositives > 0, falsePositives > 0 else { return (.nan, .nan) }
        let auroc = Double(twiceArea) / (2 * Double(truePositives) * Double(falsePositives))
        return (auroc, precisionSum / Double(truePositives))
    }
}
