import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_aggregate_scores(_ ds: OpaquePointer?, _ split: CInt,
                                      _ scores: UnsafePointer<Double>?, _ rows: Int, _ columns: Int,
                                      _ params: OpaquePointer?,
                                      _ out: UnsafeMutablePointer<Double>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (table, _, input) = try scoredSplit(ds, split, scores, rows, columns)
        let aggregation = try ParamSet.values(params).aggregation()
        let output = try required(out, "out")
        let capacity = try size(capacity, "capacity")
        let studies = try table.studyIndex()
        let (needed, overflow) = studies.studyCount.multipliedReportingOverflow(by: input.columns)
        guard !overflow, capacity >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out holds \(capacity) doubles; \(studies.studyCount) studies x \(input.columns) columns need \(needed)")
        }
        try aggregation.aggregate(input.values, columns: input.columns, studies: studies,
                                  into: UnsafeMutableBufferPointer(start: output, count: needed))
    }
}

@c @implementation
public func chexpert_patient_split(_ ds: OpaquePointer?, _ split: CInt,
                                   _ fractions: UnsafePointer<Double>?, _ parts: Int,
                                   _ params: OpaquePointer?,
                                   _ outParts: UnsafeMutablePointer<Int32>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let table = dataset.table(split)
        let parts = try size(parts, "parts")
        guard parts >= 1, parts <= Int(CHEXPERT_MAX_PARTS) else {
            throw ChexpertError(.invalidArgument, "parts = \(parts) is outside 1 ... CHEXPERT_MAX_PARTS (\(CHEXPERT_MAX_PARTS))")
        }
        let fractions = try inputBuffer(fractions, parts, "fractions")
        var sum = 0.0
        for (k, fraction) in fractions.enumerated() {
            guard fraction.isFinite, fraction >= 0 else {
                throw ChexpertError(.invalidArgument, "fractions[\(k)] = \(fraction) is not a finite non-negative number")
            }
            sum += fraction
        }
        guard sum > 0, sum.isFinite else {
            throw ChexpertError(.invalidArgument, "fractions sum to \(sum); expected a positive finite sum")
        }
        let values = try ParamSet.values(params)
        let stratify = try values.get(.stratify)
        guard stratify < Int64(table.labelCount) else {
            throw ChexpertError(.outOfRange,
                                "CHEXPERT_KEY_STRATIFY = \(stratify) is out of range; split '\(split.name)' has labels 0 ..< \(table.labelCount)")
        }
        let output = try required(outParts, "out_parts")
        let capacity = try size(capacity, "capacity")
        guard capacity >= table.count else {
            throw ChexpertError(.bufferTooSmall(needed: table.count),
                                "out_parts holds \(capacity) elements; split '\(split.name)' has \(table.count) examples")
        }
        try PatientSplit.assign(table, fractions: fractions, seed: UInt64(bitPattern: try values.get(.seed)),
                                stratify: stratify < 0 ? nil : Int(stratify),
                                into: UnsafeMutableBufferPointer(start: output, count: table.count))
    }
}

@c @implementation
public func chexpert_evaluate(_ ds: OpaquePointer?, _ split: CInt,
                              _ scores: UnsafePointer<Double>?, _ rows: Int, _ columns: Int,
                              _ labelColumns: UnsafePointer<Int32>?,
                              _ params: OpaquePointer?,
                              _ out: UnsafeMutablePointer<Double>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (table, split, input) = try scoredSplit(ds, split, scores, rows, columns)
        for (i, value) in input.values.enumerated() where !value.isFinite {
            throw ChexpertError(.invalidArgument,
                                "scores[\(i / input.columns)][\(i % input.columns)] = \(value) is not finite")
        }
        let labels = try inputBuffer(labelColumns, input.columns, "label_columns")
        for (j, label) in labels.enumerated() {
            guard label >= 0, Int(label) < table.labelCount else {
                throw ChexpertError(.outOfRange,
                                    "label_columns[\(j)] = \(label) is out of range; split '\(split.name)' has labels 0 ..< \(table.labelCount)")
            }
            for k in 0 ..< j where labels[k] == label {
                throw ChexpertError(.invalidArgument, "label_columns[\(k)] and [\(j)] are both \(label)")
            }
        }
        let evaluation = try ParamSet.values(params).evaluation()
        let output = try required(out, "out")
        let capacity = try size(capacity, "capacity")
        let needed = (input.columns + 1) * Evaluation.metricCount   // columns <= labelCount: no overflow
        guard capacity >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out holds \(capacity) doubles; \(input.columns) columns + the mean row x CHEXPERT_NUM_METRICS need \(needed)")
        }
        try evaluation.evaluate(table, scores: input.values, labelColumns: labels,
                                into: UnsafeMutableBufferPointer(start: output, count: needed))
    }
}

/// The split table of `ds` and `split`, and a `rows * columns` score matrix
/// for its examples.
/// - Throws: as `datasetSplit`; `.invalidArgument` (rows other than the split
///   size, columns 0, a size overflow), `.nullPointer`.
private func scoredSplit(_ ds: OpaquePointer?, _ split: CInt, _ scores: UnsafePointer<Double>?, _ rows: Int,
                         _ columns: Int) throws(ChexpertError)
    -> (table: SplitTable, split: Split, input: (values: UnsafeBufferPointer<Double>, columns: Int)) {
    let (dataset, split) = try datasetSplit(ds, split)
    let table = dataset.table(split)
    let rows = try size(rows, "rows"), columns = try size(columns, "columns")
    guard rows == table.count else {
        throw ChexpertError(.invalidArgument, "rows = \(rows); split '\(split.name)' has \(table.count) examples")
    }
    guard columns >= 1 else { throw ChexpertError(.invalidArgument, "columns = 0; expected at least 1") }
    let (cells, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow else { throw ChexpertError(.invalidArgument, "rows * columns overflows size_t") }
    return (table, split, (try inputBuffer(scores, cells, "scores"), columns))
}
