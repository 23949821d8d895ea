/// Scores a model against a split's ground truth (C: `chexpert_evaluate`;
/// every rule in docs/evaluation.md).
package struct Evaluation: Sendable {
    /// The unit of a sample.
    package enum Level: CaseIterable, Sendable { case image, study }
    /// What an uncertain ground-truth cell counts as.
    package enum Uncertain: CaseIterable, Sendable { case exclude, positive, negative }

    /// Metrics per output row, in `chexpert_metric` order.
    package static let metricCount = 8

    package var level: Level = .image
    package var aggregation: ScoreAggregation = .max
    package var uncertain: Uncertain = .exclude
    /// Bootstrap resamples (0: no intervals).
    package var bootstrap: Int = 1000
    package var seed: UInt64 = 0

    package init() {}

    /// Sample label codes.
    private static let negativeCode: UInt8 = 0, positiveCode: UInt8 = 1, excludedCode: UInt8 = 2

    /// A ground-truth cell under `uncertain`: 0 negative, 1 positive, 2 left out.
    private func code(_ cell: UInt8) -> UInt8 {
        switch LabelClass(rawValue: cell) {
        case .positive: Self.positiveCode
        case .uncertain:
            switch uncertain {
            case .exclude: Self.excludedCode
            case .positive: Self.positiveCode
            case .negative: Self.negativeCode
            }
        default: Self.negativeCode   // negative and blank (unmentioned)
        }
    }

    /// - Parameters:
    ///   - scores: `table.count * labelColumns.count`, row-major, finite
    ///     (checked by the caller).
    ///   - labelColumns: distinct label columns of `table` (checked).
    ///   - out: at least `(columns + 1) * metricCount` elements.
    /// - Throws: `.noMemory` (scratch: per sample 4 + columns * 13 bytes,
    ///   plus 16 bytes per resample and column; checked, freed before return).
    package func evaluate(_ table: SplitTable, scores: UnsafeBufferPointer<Double>,
                          labelColumns: UnsafeBufferPointer<Int32>,
                          into out: UnsafeMutableBufferPointer<Double>) throws(ChexpertError) {
        let columns = labelColumns.count
        let rows = table.count
        // Samples: images, or studies with aggregated scores.
        var sampleScores = scores
        var aggregated: UnsafeMutablePointer<Double>? = nil
        defer { aggregated?.deallocateChecked() }
        let samples: Int
        let studies: StudyIndex?
        if level == .study {
            let index = try table.studyIndex()
            samples = index.studyCount
            let (cells, overflow) = samples.multipliedReportingOverflow(by: Swift.max(columns, 1))
            guard !overflow else { throw ChexpertError(.noMemory, "too many study scores") }
            let buffer = try UnsafeMutablePointer<Double>.allocateChecked(cells, for: "the study scores")
            aggregated = buffer
            try aggregation.aggregate(scores, columns: columns, studies: index,
                                      into: UnsafeMutableBufferPointer(start: buffer, count: cells))
            sampleScores = UnsafeBufferPointer(start: buffer, count: cells)
            studies = index
        } else {
            samples = rows
            studies = nil
        }
        let (cellCount, overflow) = samples.multipliedReportingOverflow(by: Swift.max(columns, 1))
        guard !overflow else { throw ChexpertError(.noMemory, "too many samples") }
        // Label codes, sample-major: image cells, or combined per study
        // (positive if any image is, else negative if any is, else left out).
        let codes = try UnsafeMutablePointer<UInt8>.allocateChecked(cellCount, for: "the evaluation's labels")
        defer { codes.deallocateChecked() }
        if let studies {
            codes.initialize(repeating: Self.excludedCode, count: cellCount)
            for row in 0 ..< rows {
                let labels = table.labels(at: row)
                let s = studies[row]
                for (c, column) in labelColumns.enumerated() {
                    let image = code(labels[Int(column)])
                    let at = s * columns + c
                    if image == Self.positiveCode || (image == Self.negativeCode && codes[at] == Self.excludedCode) {
                        codes[at] = image
                    }
                }
            }
        } else {
            for row in 0 ..< rows {
                let labels = table.labels(at: row)
                for (c, column) in labelColumns.enumerated() { codes[row * columns + c] = code(labels[Int(column)]) }
            }
        }
        // Per column: the counted samples sorted by score, highest first
        // (a stable sort of (score, sample) pairs), then stored as three
        // parallel runs so that every metric walk reads memory in order.
        let orders = try UnsafeMutablePointer<Int32>.allocateChecked(cellCount, for: "the evaluation's orders")
        defer { orders.deallocateChecked() }
        let sortedScores = try UnsafeMutablePointer<Double>.allocateChecked(cellCount, for: "the evaluation's orders")
        defer { sortedScores.deallocateChecked() }
        let sortedPositive = try UnsafeMutablePointer<Bool>.allocateChecked(cellCount, for: "the evaluation's orders")
        defer { sortedPositive.deallocateChecked() }
        let pairs = try UnsafeMutablePointer<ScoredSample>.allocateChecked(Swift.max(samples, 1), for: "the evaluation's sort")
        defer { pairs.deallocateChecked() }
        let starts = try UnsafeMutablePointer<Int>.allocateChecked(columns + 1, for: "the evaluation's orders")
        defer { starts.deallocateChecked() }
        var filled = 0
        for c in 0 ..< columns {
            starts[c] = filled
            var counted = 0
            for s in 0 ..< samples where codes[s * columns + c] != Self.excludedCode {
                pairs[counted] = ScoredSample(score: sampleScores[s * columns + c], sample: Int32(truncatingIfNeeded: s))
                counted += 1
            }
            try StableSort.sort(UnsafeMutableBufferPointer(start: pairs, count: counted), for: "the evaluation's sort") {
                $0.score > $1.score
            }
            for k in 0 ..< counted {
                let s = Int(pairs[k].sample)
                orders[filled + k] = pairs[k].sample
                sortedScores[filled + k] = pairs[k].score
                sortedPositive[filled + k] = codes[s * columns + c] == Self.positiveCode
            }
            filled += counted
        }
        starts[columns] = filled
        func metrics(_ c: Int, weight: (Int) -> Int64) -> (auroc: Double, auprc: Double) {
            let base = starts[c]
            return RankingMetrics.compute(count: starts[c + 1] - base, score: { sortedScores[base + $0] },
                                          positive: { sortedPositive[base + $0] }, weight: { weight(base + $0) })
        }

        // Point estimates and counts.
        let m = Self.metricCount
        for i in 0 ..< (columns + 1) * m { out[i] = .nan }
        var sums = (auroc: 0.0, aurocCount: 0, auprc: 0.0, auprcCount: 0, samples: 0.0, positives: 0.0)
        for c in 0 ..< columns {
            let (auroc, auprc) = metrics(c) { _ in 1 }
            var positives = 0
            for s in 0 ..< samples where codes[s * columns + c] == Self.positiveCode { positives += 1 }
            let counted = starts[c + 1] - starts[c]
            out[c * m + 0] = auroc
            out[c * m + 1] = auprc
            out[c * m + 6] = Double(counted)
            out[c * m + 7] = Double(positives)
            if !auroc.isNaN { sums.auroc += auroc; sums.aurocCount += 1 }
            if !auprc.isNaN { sums.auprc += auprc; sums.auprcCount += 1 }
            sums.samples += Double(counted)
            sums.positives += Double(positives)
        }
        let meanRow = columns * m
        if sums.aurocCount > 0 { out[meanRow + 0] = sums.auroc / Double(sums.aurocCount) }
        if sums.auprcCount > 0 { out[meanRow + 1] = sums.auprc / Double(sums.auprcCount) }
        if columns > 0 {
            out[meanRow + 6] = sums.samples / Double(columns)
            out[meanRow + 7] = sums.positives / Double(columns)
        }
        guard bootstrap > 0, samples > 0 else { return }

        // Bootstrap: resample b draws `samples` sample ids with replacement,
        // next(uniformBelow: samples) each, from one generator seeded with
        // `seed`, resample after resample. Values: [b][column or mean][metric].
        let perResample = (columns + 1) * 2
        let (valueCount, valueOverflow) = bootstrap.multipliedReportingOverflow(by: perResample)
        guard !valueOverflow else { throw ChexpertError(.noMemory, "too many bootstrap values") }
        let values = try UnsafeMutablePointer<Double>.allocateChecked(valueCount, for: "the bootstrap values")
        defer { values.deallocateChecked() }
        let weights = try UnsafeMutablePointer<Int32>.allocateChecked(samples, for: "the bootstrap weights")
        defer { weights.deallocateChecked() }
        var generator = SplitMix64(seed: seed)
        for b in 0 ..< bootstrap {
            weights.initialize(repeating: 0, count: samples)
            for _ in 0 ..< samples { weights[Int(generator.next(uniformBelow: UInt64(samples)))] += 1 }
            let row = values + b * perResample
            var aurocSum = 0.0, aurocCount = 0, auprcSum = 0.0, auprcCount = 0
            for c in 0 ..< columns {
                let (auroc, auprc) = metrics(c) { Int64(weights[Int(orders[$0])]) }
                row[2 * c] = auroc
                row[2 * c + 1] = auprc
                if !auroc.isNaN { aurocSum += auroc; aurocCount += 1 }
                if !auprc.isNaN { auprcSum += auprc; auprcCount += 1 }
            }
            row[2 * columns] = aurocCount > 0 ? aurocSum / Double(aurocCount) : .nan
            row[2 * columns + 1] = auprcCount > 0 ? auprcSum / Double(auprcCount) : .nan
        }
        // Percentiles per (column or mean, metric) over the resamples that
        // define it; NaN when fewer than half do.
        let defined = try UnsafeMutablePointer<Double>.allocateChecked(bootstrap, for: "the bootstrap percentiles")
        defer { defined.deallocateChecked() }
        for target in 0 ... columns {
            for metric in 0 ..< 2 {
                var count = 0
                for b in 0 ..< bootstrap {
                    let value = values[b * perResample + 2 * target + metric]
                    if !value.isNaN { defined[count] = value; count += 1 }
                }
                guard 2 * count >= bootstrap else { continue }
                let sorted = UnsafeMutableBufferPointer(start: defined, count: count)
                try StableSort.sort(sorted, for: "the bootstrap percentiles") { $0 < $1 }
                out[target * m + 2 + 2 * metric] = Percentile.linear(UnsafeBufferPointer(sorted), 0.025)
                out[target * m + 3 + 2 * metric] = Percentile.linear(UnsafeBufferPointer(sorted), 0.975)
            }
        }
    }
}

/// A sample and its score, sorted together (contiguous keys).
struct ScoredSample: BitwiseCopyable {
    var score: Double
    var sample: Int32
}
