import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_target_rules(_ ds: OpaquePointer?, _ split: CInt, _ params: OpaquePointer?,
                                  _ outRules: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                                  _ outRuleCount: UnsafeMutablePointer<Int>?,
                                  _ outFlags: UnsafeMutablePointer<UInt32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let values = try ParamSet.values(params)
        let buffer = try optionalBuffer(outRules, capacity, "out_rules")
        let (rules, flags) = try values.targets(for: dataset.table(split), file: dataset.file(split))
        outRuleCount?.pointee = rules.count
        outFlags?.pointee = flagBits(flags)
        guard let buffer else { return }  // size query
        let needed = 3 * rules.count  // rules.count <= CHEXPERT_MAX_RULES
        guard buffer.count >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "out_rules holds \(buffer.count) int32 values; the \(rules.count) rules need \(needed)")
        }
        for (i, rule) in rules.enumerated() {
            buffer[3 * i] = Int32(truncatingIfNeeded: rule.label)  // < labelCount <= Int32.max
            buffer[3 * i + 1] = Int32(truncatingIfNeeded: ParamEnums.uncertain.encode(rule.uncertain))
            buffer[3 * i + 2] = Int32(truncatingIfNeeded: ParamEnums.blank.encode(rule.blank))
        }
    }
}

@c @implementation
public func chexpert_batch_targets(_ ds: OpaquePointer?, _ split: CInt,
                                   _ indices: UnsafePointer<Int64>?, _ count: Int, _ params: OpaquePointer?,
                                   _ outTargets: UnsafeMutablePointer<Float>?, _ outMasks: UnsafeMutablePointer<Float>?,
                                   _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split, indices) = try batchArguments(ds, split, indices, count)
        let values = try ParamSet.values(params)
        let capacity = try size(capacity, "capacity")
        let table = dataset.table(split)
        let (rules, flags) = try values.targets(for: table, file: dataset.file(split))
        let rows = try dataset.checkedRows(indices, split: split)
        let (needed, overflow) = rows.count.multipliedReportingOverflow(by: rules.count)
        guard !overflow else { throw ChexpertError(.invalidArgument, "count * rule count overflows size_t") }
        if outTargets == nil, capacity > 0 || needed > 0 {
            throw ChexpertError(.nullPointer, "out_targets is NULL")
        }
        guard capacity >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed),
                                "capacity is \(capacity) floats; \(rows.count) examples x \(rules.count) rules need \(needed)")
        }
        guard let outTargets, needed > 0 else { return }
        try table.writeTargets(rows: rows, rules: rules, flags: flags,
                               targets: UnsafeMutableBufferPointer(start: outTargets, count: capacity),
                               masks: outMasks.map { UnsafeMutableBufferPointer(start: $0, count: capacity) })
    }
}

/// `chexpert_target_flag` bits of `flags`: the one place where the flags
/// meet the header's constants.
private func flagBits(_ flags: TargetFlags) -> UInt32 {
    (flags.noFinding ? UInt32(CHEXPERT_TARGET_NO_FINDING.rawValue) : 0)
        | (flags.maskedNaN ? UInt32(CHEXPERT_TARGET_MASKED_NAN.rawValue) : 0)
}
