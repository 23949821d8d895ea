extension SplitTable {
    /// Column names `TargetFlags.noFinding` reads.
    static let noFindingColumn = "No Finding"
    static let supportDevicesColumn = "Support Devices"

    /// Writes the training targets of `rows` (row-major, `rules.count` per
    /// row) and, if given, their masks (1 counted, 0 masked).
    ///
    /// C: `chexpert_batch_targets` (after `checkedRows`).
    /// - Parameters:
    ///   - rows: rows of this table (from `Dataset.checkedRows`).
    ///   - targets, masks: at least `rows.count * rules.count` elements.
    /// - Throws, before anything is written: `.outOfRange` for a rule whose
    ///   label is not a column of this table; `.invalidArgument` when `flags`
    ///   has `noFinding` and the header has no `No Finding` column;
    ///   `.internal` for short outputs or a row out of range.
    package func writeTargets<Rows: Collection>(rows: Rows, rules: [TargetRule], flags: TargetFlags,
                             targets: UnsafeMutableBufferPointer<Float>,
                             masks: UnsafeMutableBufferPointer<Float>?) throws(ChexpertError) where Rows.Element == Int {
        try checkRules(rules)
        let (needed, overflow) = rows.count.multipliedReportingOverflow(by: rules.count)
        guard !overflow, targets.count >= needed, (masks?.count ?? needed) >= needed,
              rows.allSatisfy({ $0 >= 0 && $0 < count }) else {
            throw ChexpertError(.internal, "writeTargets: outputs shorter than \(rows.count) x \(rules.count) or a row out of range")
        }
        var noFinding: Int?
        var exempt: Set<Int> = []
        if flags.noFinding {
            guard let column = labelIndex(named: Self.noFindingColumn) else {
                throw ChexpertError(.invalidArgument,
                                    "CHEXPERT_KEY_TARGET_NO_FINDING needs a '\(Self.noFindingColumn)' label column; this split's header has none")
            }
            noFinding = column
            exempt = [column]
            if let support = labelIndex(named: Self.supportDevicesColumn) { exempt.insert(support) }
        }
        let masked: Float = flags.maskedNaN ? .nan : 0
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

    /// Checks that every rule's label is a label column of this table.
    /// - Throws: `.outOfRange` naming the first rule that is not.
    package func checkRules(_ rules: [TargetRule]) throws(ChexpertError) {
        for (position, rule) in rules.enumerated() where rule.label < 0 || rule.label >= labelCount {
            throw ChexpertError(.outOfRange,
                                "rule \(position): label \(rule.label) is out of range 0 ..< \(labelCount) for this split")
        }
    }
}
