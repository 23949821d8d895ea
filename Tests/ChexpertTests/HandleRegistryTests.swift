import Glibc
import Testing
@testable import ChexpertABI
@testable import ChexpertCore

/// The handle registry's slot table (Boundary/SlotTable.swift): reuse,
/// generations, kinds, growth and shrinking, and a growth that cannot be
/// allocated (`.noMemory`, registry unchanged). The same through the C ABI
/// under fault injection: Tests/faults ("handles past the table").
@Suite struct HandleRegistryTests {
    final class Thing {}

    /// An allocator that fails while `failing` is set and counts its blocks.
    final class TestAllocator: @unchecked Sendable {
        var failing = false
        var calls = 0
        let lock = Lock()

        var allocate: HandleRegistry.Allocator {
            { count, stride in
                self.lock.withLock {
                    self.calls += 1
                    return self.failing ? nil : CheckedAllocation.allocate(count: count, stride: stride)
                }
            }
        }
    }

    private func handle(_ registry: HandleRegistry, _ token: OpaquePointer) -> Thing? {
        try? registry.lookup(token, as: Thing.self, argument: "thing", creator: "a test")
    }

    @Test func reusesSlotsWithNewGenerations() throws {
        let registry = HandleRegistry()
        let first = Thing(), second = Thing()
        let a = try registry.register(first)
        let b = try registry.register(second)
        #expect(handle(registry, a) === first)
        #expect(handle(registry, b) === second)
        #expect(registry.remove(a, as: Thing.self))
        #expect(handle(registry, a) == nil)                 // removed: closed
        #expect(!registry.remove(a, as: Thing.self))        // twice: ignored
        let third = Thing()
        let c = try registry.register(third)
        let slot = { (token: OpaquePointer) in UInt(bitPattern: token) & 0xFFFF_FFFF }
        #expect(slot(c) == slot(a))                         // the slot is reused ...
        #expect(UInt(bitPattern: c) != UInt(bitPattern: a))  // ... under a new generation
        #expect(handle(registry, a) == nil)
        #expect(handle(registry, c) === third)
        // Made-up tokens: slot 0, past the table, a wrong generation.
        for bits: UInt in [1 << 32, UInt(bitPattern: b) + 100, UInt(bitPattern: b) ^ (1 << 40)] {
            #expect(handle(registry, OpaquePointer(bitPattern: bits)!) == nil)
        }
        #expect(throws: ChexpertError.self) { _ = try registry.lookup(nil, as: Thing.self, argument: "t", creator: "c") }
    }

    @Test func checksKinds() throws {
        let registry = HandleRegistry()
        let params = try registry.register(ParamSet())
        #expect(throws: ChexpertError.self) { _ = try registry.dataset(params) }
        #expect(throws: ChexpertError.self) { _ = try registry.job(params) }
        #expect(throws: ChexpertError.self) { _ = try registry.takeJob(params) }
        #expect(!registry.remove(params, as: Thing.self))  // another kind: kept
        _ = try registry.params(params)
        #expect(registry.remove(params, as: ParamSet.self))
        #expect(throws: ChexpertError.self) { _ = try registry.params(params) }
    }

    @Test func releasesWhatItRemoves() throws {
        let registry = HandleRegistry()
        weak var gone: Thing?
        var token: OpaquePointer?
        do {
            let thing = Thing()
            gone = thing
            token = try registry.register(thing)
        }
        #expect(gone != nil)  // the registry holds it
        registry.remove(token, as: Thing.self)
        #expect(gone == nil)
    }

    @Test func growsShrinksAndFreesItsStorage() throws {
        let registry = HandleRegistry()
        #expect(registry.counts.capacity == 0)
        var tokens: [OpaquePointer] = []
        var things: [Thing] = []
        for _ in 0..<100 {
            things.append(Thing())
            tokens.append(try registry.register(things[things.count - 1]))
        }
        #expect(registry.counts.live == 100)
        #expect(registry.counts.capacity == 128)
        for (token, thing) in zip(tokens, things) { #expect(handle(registry, token) === thing) }
        // Remove from the top: the table shrinks once a quarter or less is used.
        for token in tokens[10...].reversed() { registry.remove(token, as: Thing.self) }
        #expect(registry.counts.live == 10)
        #expect(registry.counts.capacity == 32)
        for (token, thing) in zip(tokens[..<10], things) { #expect(handle(registry, token) === thing) }
        for token in tokens[10...] { #expect(handle(registry, token) == nil) }
        // A register/remove cycle at the boundary does not reallocate.
        for _ in 0..<5 {
            let token = try registry.register(Thing())
            registry.remove(token, as: Thing.self)
            #expect(registry.counts.capacity == 32)
        }
        for token in tokens[..<10] { registry.remove(token, as: Thing.self) }
        #expect(registry.counts == (0, 0))  // nothing live: storage freed
    }

    @Test func growthFailureLeavesTheRegistryUnchanged() throws {
        let allocator = TestAllocator()
        let registry = HandleRegistry(allocate: allocator.allocate)
        allocator.failing = true
        weak var refused: Thing?
        do {
            let thing = Thing()
            refused = thing
            do {
                _ = try registry.register(thing)
                Issue.record("registered without storage")
            } catch {
                #expect(error.code == .noMemory)
                #expect(error.message.contains("allocate"))
                #expect(error.message.contains("handle table"))
            }
        }
        #expect(refused == nil)  // not kept
        #expect(registry.counts == (0, 0))
        allocator.failing = false
        var tokens: [OpaquePointer] = []
        var things: [Thing] = []
        for _ in 0..<SlotTable.minimumCapacity {
            things.append(Thing())
            tokens.append(try registry.register(things[things.count - 1]))
        }
        #expect(registry.counts == (16, 16))
        allocator.failing = true
        let before = allocator.calls
        #expect(throws: ChexpertError.self) { _ = try registry.register(Thing()) }
        #expect(allocator.calls == before + 1)
        #expect(registry.counts == (16, 16))
        for (token, thing) in zip(tokens, things) { #expect(handle(registry, token) === thing) }
        // Removing while shrinking cannot be allocated: the larger block stays.
        allocator.failing = false
        let extra = try (0..<20).map { _ in try registry.register(Thing()) }  // 36 live: 64 slots
        #expect(registry.counts == (36, 64))
        allocator.failing = true
        for token in extra.reversed() { registry.remove(token, as: Thing.self) }
        #expect(registry.counts == (16, 64))
        allocator.failing = false
        for token in tokens[1...].reversed() { registry.remove(token, as: Thing.self) }
        #expect(registry.counts == (1, 16))
        #expect(handle(registry, tokens[0]) === things[0])
        registry.remove(tokens[0], as: Thing.self)
        #expect(registry.counts == (0, 0))
    }

    @Test func concurrentRegistersAndRemoves() async throws {
        let registry = HandleRegistry()
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var ok = true
                    for round in 0..<200 {
                        let things = (0..<(round % 40)).map { _ in Thing() }
                        var tokens: [OpaquePointer] = []
                        for thing in things {
                            guard let token = try? registry.register(thing) else { return false }
                            tokens.append(token)
                        }
                        for (token, thing) in zip(tokens, things) {
                            ok = ok && (try? registry.lookup(token, as: Thing.self, argument: "t", creator: "c")) === thing
                            ok = ok && registry.remove(token, as: Thing.self)
                        }
                    }
                    return ok
                }
            }
            for await ok in group { #expect(ok) }
        }
        #expect(registry.counts == (0, 0))
    }
}
