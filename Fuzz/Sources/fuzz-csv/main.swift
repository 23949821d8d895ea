// libFuzzer target: arbitrary bytes as a split CSV. Whatever the bytes, the
// parser returns a table or a ChexpertError; on a table, selection, every
// target preset and rule, and the epoch order run over it.
@testable import ChexpertCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let table = try? SplitTable(csv: bytes, file: "fuzz.csv") else { return 0 }
    precondition(table.csvProjectionCounts.reduce(0, +) == table.count)
    let mask = Int64(size % 16)
    if let selection = try? Selection(mask: mask), let kept = try? table.selecting(selection, file: "fuzz.csv") {
        precondition(kept.count <= table.count)
        exercise(kept)
    }
    exercise(table)
    return 0
}

private func exercise(_ table: SplitTable) {
    let rows = Array(0 ..< min(table.count, 64))
    var ruleSets: [([TargetRule], TargetFlags)] = []
    for preset in TargetPreset.allCases {
        if let rules = try? preset.rules(for: table, file: "fuzz.csv") { ruleSets.append((rules, preset.flags)) }
    }
    if table.labelCount > 0 {
        let all = (0 ..< table.labelCount).map {
            TargetRule(label: $0, uncertain: UncertainPolicy.allCases[$0 % 5], blank: BlankPolicy.allCases[$0 % 2])
        }
        ruleSets.append((all, TargetFlags(noFinding: true, maskedNaN: true)))
    }
    for (rules, flags) in ruleSets {
        var targets = [Float](repeating: 0, count: rows.count * rules.count)
        var masks = targets
        targets.withUnsafeMutableBufferPointer { t in
            masks.withUnsafeMutableBufferPointer { m in
                _ = try? table.writeTargets(rows: rows, rules: rules, flags: flags, targets: t, masks: m)
            }
        }
    }
    for row in rows {
        _ = table.nameString(at: row)
        _ = table.projection(at: row)
    }
    if let order = try? ShardOrder(count: Int64(table.count), seed: UInt64(table.count), epoch: 1, shuffle: true,
                                   start: 0, rank: 0, world: 3, remainder: .pad) {
        var out = [Int64](repeating: -1, count: order.shardCount)
        out.withUnsafeMutableBufferPointer { _ = try? order.write(into: $0) }
        precondition(out.allSatisfy { $0 >= 0 && $0 < Int64(table.count) })
    }
}

@_cdecl("fuzz_csv_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzMain(argc, argv, fuzzCSV)
}
