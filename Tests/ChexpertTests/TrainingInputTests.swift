import Testing
@testable import ChexpertCore

/// Selection, targets and the epoch order in the core (the C and Python
/// suites test them through the ABI against hand-computed values).
@Suite struct TrainingInputTests {
    typealias F = CSVFixtures

    @Test func projectionsFollowBothColumns() throws {
        #expect(Projection(view: .frontal, cell: Optional("AP".utf8)) == .ap)
        #expect(Projection(view: .frontal, cell: Optional("PA".utf8)) == .pa)
        #expect(Projection(view: .frontal, cell: Optional("ap".utf8)) == .otherFrontal)
        #expect(Projection(view: .frontal, cell: Optional("LL".utf8)) == .otherFrontal)
        #expect(Projection(view: .frontal, cell: Optional<String.UTF8View>.none) == .otherFrontal)
        #expect(Projection(view: .lateral, cell: Optional("AP".utf8)) == .lateral)
        let table = try F.parse(F.realText)
        #expect(table.hasProjectionColumn)
        #expect(table.csvProjectionCounts.reduce(0, +) == table.count)
    }

    @Test func selectionKeepsRowsInOrder() throws {
        let table = try F.parse(F.realText)
        let lateral = try table.selecting(Selection(mask: Projection.lateral.selectionBit), file: "t")
        let expected = (0 ..< table.count).filter { table.view(at: $0) == ImageView.lateral.rawValue }
        #expect(lateral.count == expected.count)
        for (i, row) in expected.enumerated() {
            #expect(Array(lateral.name(at: i)) == Array(table.name(at: row)))
            #expect(Array(lateral.labels(at: i)) == Array(table.labels(at: row)))
        }
        #expect(lateral.csvProjectionCounts == table.csvProjectionCounts)
        #expect(throws: ChexpertError.self) { try Selection(mask: 16) }
        #expect(throws: ChexpertError.self) { try Selection(mask: 0) }
        #expect(try table.selecting(.all, file: "t").count == table.count)
    }

    @Test func targetRulesMapEveryCell() {
        let cells: [LabelClass] = [.positive, .negative, .uncertain, .unmentioned]
        func targets(_ u: UncertainPolicy, _ b: BlankPolicy) -> [Float?] {
            cells.map { TargetRule(label: 0, uncertain: u, blank: b).target($0) }
        }
        #expect(targets(.ignore, .negative) == [1, 0, nil, 0])
        #expect(targets(.zeros, .ignore) == [1, 0, 0, nil])
        #expect(targets(.ones, .negative) == [1, 0, 1, 0])
        #expect(targets(.multiClass, .ignore) == [1, 0, 2, nil])
        #expect(targets(.raw, .ignore) == [1, 2, 0, 3])
    }

    @Test func shardOrderIsAPermutationDealtRoundRobin() throws {
        let full = try ShardOrder(count: 50, seed: 1, epoch: 2, shuffle: true)
        var all = [Int64](repeating: -1, count: 50)
        try all.withUnsafeMutableBufferPointer { (buffer) throws(ChexpertError) in try full.write(into: buffer) }
        #expect(Set(all).count == 50 && all.allSatisfy { (0 ..< 50).contains($0) })
        for rank in 0 ..< 3 {
            let order = try ShardOrder(count: 50, seed: 1, epoch: 2, shuffle: true, start: 5, rank: Int64(rank),
                                       world: 3, remainder: .uneven)
            var part = [Int64](repeating: -1, count: order.shardCount)
            try part.withUnsafeMutableBufferPointer { (buffer) throws(ChexpertError) in try order.write(into: buffer) }
            #expect(part == stride(from: 5 + rank, to: 50, by: 3).map { all[$0] })
        }
        #expect(throws: ChexpertError.self) {
            try ShardOrder(count: 5, shuffle: true, start: 6)
        }
        #expect(throws: ChexpertError.self) { try ShardOrder(count: 5, rank: 2, world: 2) }
        #expect(throws: ChexpertError.self) { try ShardOrder(count: ShardOrder.maxCount + 1) }
        // A too-small output is refused before anything is written.
        var short = [Int64](repeating: -1, count: 49)
        #expect(throws: ChexpertError.self) {
            try short.withUnsafeMutableBufferPointer { (buffer) throws(ChexpertError) in try full.write(into: buffer) }
        }
        #expect(short.allSatisfy { $0 == -1 })
    }

    @Test func uniformBelowIsInRangeAndUnbiasedAtTheEdges() {
        var random = SplitMix64(seed: 3)
        for bound: UInt64 in [1, 2, 3, 7, 1 << 63, UInt64.max] {
            for _ in 0 ..< 100 { #expect(random.next(uniformBelow: bound) < bound) }
        }
    }
}
