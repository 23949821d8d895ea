// libFuzzer target: arbitrary bytes as a split CSV. Whatever the bytes, the
// parser returns a table or a ChexpertError; on a table, selection, every
// target preset and rule, and the epoch order run over it.
//
// An input starting with "SHAPE" is a recipe (`Shape`) for an adversarial
// CSV built in memory: 10^4..10^5 columns, lines and cells up to megabytes,
// up to 10^5 rows, quoted cells with doubled quotes and line breaks, CRLF,
// unterminated quotes. A few bytes then reach shapes no mutation of a small
// file would (libFuzzer's -max_len keeps inputs small). Every shape must
// parse (or fail with an error) in linear time: -timeout catches the rest.
@testable import ChexpertCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    if let shaped = Shape(input)?.csv() {
        return shaped.withUnsafeBufferPointer { parse($0, size: size) }
    }
    return parse(input, size: size)
}

private func parse(_ bytes: UnsafeBufferPointer<UInt8>, size: Int) -> CInt {
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

/// A recipe for a big CSV: "SHAPE", then a header byte (column count class,
/// whether the CheXpert columns come first), rows, cell length, quoting
/// flags, and the remaining bytes as the cell text pattern.
private struct Shape {
    static let columnCounts = [1, 5, 19, 100, 1000, 10_000, 30_000, 100_000]
    static let rowCounts = [0, 1, 2, 10, 100, 1000, 10_000, 100_000]
    static let cellLengths = [0, 1, 3, 16, 1000, 100_000, 1_000_000, 4_000_000]
    /// Largest CSV built (bytes); rows, then cells, are cut to fit.
    static let maxBytes = 8 << 20
    static let chexpertHeader = Array(("Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,"
        + "Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,"
        + "Pleural Effusion,Pleural Other,Fracture,Support Devices").utf8)

    var columns: Int, rows: Int, cellLength: Int
    let chexpertFirst: Bool, quote: Bool, doubledQuotes: Bool, breaksInQuotes: Bool, crlf: Bool
    let unterminated: Bool, finalNewline: Bool
    let pattern: [UInt8]

    init?(_ input: UnsafeBufferPointer<UInt8>) {
        let magic = Array("SHAPE".utf8)
        guard input.count >= magic.count + 4, Array(input.prefix(magic.count)) == magic else { return nil }
        let b = Array(input.dropFirst(magic.count))
        columns = Self.columnCounts[Int(b[0]) % Self.columnCounts.count]
        chexpertFirst = b[0] & 0x80 != 0
        rows = Self.rowCounts[Int(b[1]) % Self.rowCounts.count]
        cellLength = Self.cellLengths[Int(b[2]) % Self.cellLengths.count]
        let flags = b[3]
        quote = flags & 1 != 0
        doubledQuotes = flags & 2 != 0
        breaksInQuotes = flags & 4 != 0
        crlf = flags & 8 != 0
        unterminated = flags & 16 != 0
        finalNewline = flags & 32 == 0
        let rest = Array(b.dropFirst(4))
        pattern = rest.isEmpty ? Array("1.0".utf8) : rest
        // Cut to maxBytes: rows first, then the cell length.
        let perCell = cellLength + 4
        while rows > 0, (rows + 1) * columns * perCell > Self.maxBytes { rows /= 10 }
        while cellLength > 0, columns * (cellLength + 4) > Self.maxBytes { cellLength /= 10 }
    }

    func csv() -> [UInt8] {
        var out: [UInt8] = []
        let newline: [UInt8] = crlf ? [13, 10] : [10]
        // Header: CheXpert's columns (a real table), then c5, c6, ... names.
        var first = 0
        if chexpertFirst {
            out += Self.chexpertHeader
            first = 19
        }
        for column in first ..< Swift.max(first, columns) {
            if column > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("c\(column)".utf8)
        }
        // Rows: the pattern repeated to cellLength in each cell.
        var cell: [UInt8] = []
        cell.reserveCapacity(cellLength)
        var i = 0
        while cell.count < cellLength, i < 2 * cellLength + 16 {  // bytes skipped below count too
            let byte = pattern[i % pattern.count]
            i += 1
            if byte == UInt8(ascii: "\"") && !(quote && doubledQuotes) { continue }
            if !quote && (byte == UInt8(ascii: ",") || byte == 10 || byte == 13) { continue }
            if quote && doubledQuotes && byte == UInt8(ascii: "\"") {
                cell += [byte, byte]
            } else if quote && breaksInQuotes && i % 97 == 0 {
                cell += newline
            } else {
                cell.append(byte)
            }
        }
        for row in 0 ..< rows {
            out += newline
            for column in 0 ..< columns {
                if column > 0 { out.append(UInt8(ascii: ",")) }
                if column == 0 && chexpertFirst {
                    out += Array("CheXpert-v1.0-small/train/patient\(row)/study1/view1_frontal.jpg".utf8)
                    continue
                }
                if quote { out.append(UInt8(ascii: "\"")) }
                out += cell
                if quote { out.append(UInt8(ascii: "\"")) }
            }
        }
        if unterminated { out += Array(",\"open".utf8) }
        if finalNewline { out += newline }
        return out
    }
}

@_cdecl("fuzz_csv_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzMain(argc, argv, fuzzCSV)
}
