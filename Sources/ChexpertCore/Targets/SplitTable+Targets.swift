extension SplitTable {
    /// Column names `TargetFlags.noFinding` reads.
    static let noFindingColumn = "No Finding"
    static let supportDevicesColumn = "Support Devices"

    /// Writes the training targets of `rows` (row-major, `rules.count` per
    /// row) and, if given, their masks (1 counted, 0 masked).
    ///
    /// - Precondition: every row is in range and every rule's label is below
    ///   `labelCount` (checked by the callers); `targets` and `masks` hold
    ///   at least `rows.count * rules.count` elements.
    /// - Throws: `.invalidArgument` when `flags` has `.noFinding` and the
    ///   header has no `No Finding` column (before anything is written).
    public func writeTargets(rows: [Int], rules: [TargetRule], flags: TargetFlags,
                             targets: UnsafeMutableBufferPointer<Float>,
                             masks: UnsafeMutableBufferPointer<Float>?) throws(ChexpertError) {
        var noFinding: Int?
        var exempt: Set<Int> = []
        if flags.contains(.noFinding) {
            guard let column = labelIndex(named: Self.noFindingColumn) else {
                throw ChexpertError(.invalidArgument,
                                    "CHEXPERT_TARGET_NO_FINDING needs a '\(Self.noFindingColumn)' label column; this split's header has none")
            }
            noFinding = column
            exempt = [column]
            if let support = labelIndex(named: Self.supportDevicesColumn) { exempt.insert(support) }
        }
        let masked: Float = flags.contains(.maskedNaN) ? .nan : 0
        var at = 0
        for row in rows {
            let cells = labels(at: row)
            let healthy = noFinding.map { cells[cells.startIndex + $0] == LabelClass.positive.rawValue } ?? false
            for rule in rules {
                let cell = LabelClass(rawValue: cells[cells.startIndex + rule.label]) ?? .unmentioned
                var value = rule.target(cell)
                if healthy, rule.uncertain != .raw, !exempt.contains(rule.label) { value = 0 }
                targets[at] = value ?? masked
                masks?[at] = value == nil ? 0 : 1
                at += 1
            }
        }
    }
}
