import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_batch_targets(_ ds: OpaquePointer?, _ split: CInt,
                                   _ indices: UnsafePointer<Int64>?, _ count: Int,
                                   _ rules: UnsafePointer<Int32>?, _ ruleCount: Int, _ flags: UInt32,
                                   _ targets: UnsafeMutablePointer<Float>?, _ targetsCapacity: Int,
                                   _ masks: UnsafeMutablePointer<Float>?, _ masksCapacity: Int) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, table, indices) = try batchArguments(ds, split, indices, count)
        let count = indices.count
        let ruleCount = try size(ruleCount, "rule_count")
        let (tripleElements, overflow) = ruleCount.multipliedReportingOverflow(by: 3)
        guard !overflow else { throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "rule_count = \(ruleCount) is too large") }
        let triples = try inputBuffer(rules, tripleElements, "rules")
        guard flags & ~TargetFlags.all.rawValue == 0 else {
            throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "flags = \(flags) has bits that are not chexpert_target_flag values")
        }
        var parsed: [TargetRule] = []
        for i in 0 ..< ruleCount {
            let triple = (triples[3 * i], triples[3 * i + 1], triples[3 * i + 2])
            parsed.append(try core { () throws(ChexpertError) in
                try TargetRule(triple: triple, at: i, labelCount: table.labelCount)
            })
        }
        let rows = try core { () throws(ChexpertError) in try dataset.checkedRows(indices, table: table, split: split) }
        let (needed, tooMany) = count.multipliedReportingOverflow(by: ruleCount)
        guard !tooMany else { throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "count * rule_count overflows size_t") }
        let targetBuffer = try optionalBuffer(targets, targetsCapacity, "targets")
        let maskBuffer = try optionalBuffer(masks, masksCapacity, "masks")
        guard (targetBuffer?.count ?? 0) >= needed else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "targets holds \(targetsCapacity) floats; \(count) examples x \(ruleCount) rules need \(needed)")
        }
        if let maskBuffer, maskBuffer.count < needed {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "masks holds \(masksCapacity) floats; \(count) examples x \(ruleCount) rules need \(needed)")
        }
        if needed == 0 { return }
        guard let targetBuffer else { throw Failure.null("targets") }
        try core { () throws(ChexpertError) in
            try table.writeTargets(rows: rows, rules: parsed, flags: TargetFlags(rawValue: flags),
                                   targets: targetBuffer, masks: maskBuffer)
        }
    }
}

@c @implementation
public func chexpert_target_preset(_ ds: OpaquePointer?, _ split: CInt, _ preset: CInt,
                                   _ rules: UnsafeMutablePointer<Int32>?, _ rulesCapacity: Int,
                                   _ outRuleCount: UnsafeMutablePointer<Int>?,
                                   _ outFlags: UnsafeMutablePointer<UInt32>?) -> CInt {
    entry { () throws(Failure) in
        let (dataset, split, table) = try splitTable(ds, split)
        guard let preset = TargetPreset(rawValue: preset) else {
            throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "preset = \(preset) is not a chexpert_preset (1 ... 3)")
        }
        let resolved = try core { () throws(ChexpertError) in
            try preset.rules(for: table, file: dataset.layout.csvPath(split))
        }
        outRuleCount?.pointee = resolved.count
        outFlags?.pointee = preset.flags.rawValue
        let buffer = try optionalBuffer(rules, rulesCapacity, "rules")
        guard let buffer, buffer.count >= 3 * resolved.count else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "rules holds \(rulesCapacity) int32 values; the preset's \(resolved.count) rules need \(3 * resolved.count)")
        }
        for (i, rule) in resolved.enumerated() {
            buffer[3 * i] = Int32(truncatingIfNeeded: rule.label)  // < labelCount <= Int32.max
            buffer[3 * i + 1] = rule.uncertain.rawValue
            buffer[3 * i + 2] = rule.blank.rawValue
        }
    }
}
