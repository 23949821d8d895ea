import CChexpertABI
import ChexpertSample
import Glibc
import Testing
@testable import ChexpertABI

/// Many threads on the C API at once: results equal a serial run; handles
/// closed while calls run, closed twice or used after close give statuses,
/// never crashes. Run under ThreadSanitizer by scripts/sanitize.sh.
@Suite(.serialized) struct ConcurrencyTests {
    static let readers = 8
    static let rounds = 6

    /// A checksum of example `index`'s resized image, labels and view.
    private static func digest(_ ds: OpaquePointer?, _ index: Int64) -> (CInt, UInt64) {
        var params: OpaquePointer?
        _ = chexpert_params_create(&params)
        defer { chexpert_params_free(params) }
        _ = chexpert_params_set(params, key(CHEXPERT_KEY_HEIGHT), 24)
        _ = chexpert_params_set(params, key(CHEXPERT_KEY_WIDTH), 20)
        _ = chexpert_params_set(params, key(CHEXPERT_KEY_CHANNELS), 1)
        _ = chexpert_params_set(params, key(CHEXPERT_KEY_THREADS), 1)
        var image = [UInt8](repeating: 0, count: 24 * 20)
        var labels = [Int64](repeating: 0, count: 14)
        var view: Int64 = -1
        var indices = [index]
        var status = chexpert_batch_resized(ds, 0, &indices, 1, params, &image, image.count, nil)
        if status == CHEXPERT_OK.rawValue { status = chexpert_batch_labels(ds, 0, &indices, 1, &labels, 14) }
        if status == CHEXPERT_OK.rawValue { status = chexpert_batch_views(ds, 0, &indices, 1, &view, 1) }
        var hash: UInt64 = 1469598103934665603
        for byte in image { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        for label in labels { hash = (hash ^ UInt64(bitPattern: label)) &* 1099511628211 }
        return (status, hash ^ UInt64(bitPattern: view))
    }

    private static func withTree(_ body: (String) throws -> Void) throws {
        let directory = try TempDirectory()
        defer { directory.remove() }
        _ = try SampleTree.write(to: directory.path, spec: SampleSpec(trainPatients: 6, validPatients: 1, seed: 9))
        try body(directory.path)
    }

    private static func open(_ root: String) -> OpaquePointer? {
        var ds: OpaquePointer?
        #expect(chexpert_dataset_open(&ds, root, nil) == CHEXPERT_OK.rawValue)
        return ds
    }

    @Test func eightReadersAndAnOpenerAgreeWithASerialRun() throws {
        try Self.withTree { root in
            let ds = Self.open(root)
            defer { chexpert_dataset_close(ds) }
            var count: Int64 = 0
            #expect(chexpert_split_size(ds, 0, &count) == CHEXPERT_OK.rawValue)
            let serial = (0 ..< count).map { Self.digest(ds, $0).1 }
            let mismatches = Counter()
            let stop = Flag()
            let opener = Thread {
                var opened = 0
                while !stop.isSet {
                    let other = Self.open(root)
                    var size: Int64 = 0
                    if chexpert_split_size(other, 0, &size) != CHEXPERT_OK.rawValue || size != count { mismatches.add() }
                    chexpert_dataset_close(other)
                    chexpert_dataset_close(other)            // double close: a no-op
                    if chexpert_split_size(other, 0, &size) != CHEXPERT_E_CLOSED.rawValue { mismatches.add() }
                    opened += 1
                }
                #expect(opened > 0)
            }
            let readers = (0 ..< Self.readers).map { reader in
                Thread {
                    for round in 0 ..< Self.rounds {
                        for offset in 0 ..< count {
                            let index = (offset + Int64(reader * 3 + round)) % count
                            let (status, hash) = Self.digest(ds, index)
                            if status != CHEXPERT_OK.rawValue || hash != serial[Int(index)] { mismatches.add() }
                        }
                    }
                }
            }
            readers.forEach { $0.join() }
            stop.set()
            opener.join()
            #expect(mismatches.value == 0)
        }
    }

    /// Closes a handle while calls run on it, with the race forced and
    /// checked rather than hoped for: the readers start together (a
    /// barrier), the close runs only once every reader is inside a call, and
    /// a round counts only if some call started before the close began and
    /// returned (OK) after it ended, i.e. the close really ran during a call.
    /// Each round retries (a fresh handle) until that happens, at most
    /// `attempts` times; a round that never raced fails the test.
    @Test func closingWhileCallsRunGivesStatusesNotCrashes() throws {
        let readerCount = 4
        let attempts = 50
        try Self.withTree { root in
            for round in 0 ..< 4 {
                var raced = false
                var tries = 0
                while !raced && tries < attempts {
                    tries += 1
                    let ds = Self.open(root)
                    var count: Int64 = 0
                    #expect(chexpert_split_size(ds, 0, &count) == CHEXPERT_OK.rawValue)
                    let unexpected = Counter()
                    let closedSeen = Counter()
                    let spanned = Counter()     // calls that ran across the whole close and returned OK
                    let inFlight = Counter()
                    let closeStarted = Flag()
                    let closeDone = Flag()
                    let start = Barrier(readerCount + 1)
                    let readers = (0 ..< readerCount).map { reader in
                        Thread {
                            start.wait()
                            var params: OpaquePointer?
                            _ = chexpert_params_create(&params)
                            defer { chexpert_params_free(params) }
                            _ = chexpert_params_set(params, key(CHEXPERT_KEY_HEIGHT), 64)
                            _ = chexpert_params_set(params, key(CHEXPERT_KEY_WIDTH), 64)
                            _ = chexpert_params_set(params, key(CHEXPERT_KEY_THREADS), 1)
                            var indices = (0 ..< count).map { ($0 + Int64(reader)) % count }
                            var out = [UInt8](repeating: 0, count: Int(count) * 64 * 64 * 3)
                            for _ in 0 ..< 100_000 {
                                let before = closeStarted.isSet
                                inFlight.add()
                                let status = chexpert_batch_resized(ds, 0, &indices, indices.count, params,
                                                                    &out, out.count, nil)
                                inFlight.subtract()
                                let after = closeDone.isSet
                                if status == CHEXPERT_E_CLOSED.rawValue {
                                    closedSeen.add()
                                    return
                                }
                                if status != CHEXPERT_OK.rawValue { unexpected.add() }
                                if !before && after { spanned.add() }
                            }
                            unexpected.add()  // never saw the close
                        }
                    }
                    start.wait()
                    while inFlight.value < readerCount { sched_yield() }
                    closeStarted.set()
                    chexpert_dataset_close(ds)
                    closeDone.set()
                    readers.forEach { $0.join() }
                    #expect(unexpected.value == 0)
                    #expect(closedSeen.value == readerCount)
                    var size: Int64 = 0
                    #expect(chexpert_split_size(ds, 0, &size) == CHEXPERT_E_CLOSED.rawValue)
                    raced = spanned.value > 0
                }
                #expect(raced, "round \(round): no call was running across the close in \(attempts) attempts")
            }
        }
    }
}

/// A joinable pthread running a closure.
final class Thread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let me = Unmanaged<Thread>.fromOpaque(raw).takeRetainedValue()
            me.body()
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed")
    }

    func join() { pthread_join(thread, nil) }
}

/// A counter and a flag shared by test threads.
final class Counter: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var count = 0
    init() { pthread_mutex_init(&mutex, nil) }
    func add() { pthread_mutex_lock(&mutex); count += 1; pthread_mutex_unlock(&mutex) }
    func subtract() { pthread_mutex_lock(&mutex); count -= 1; pthread_mutex_unlock(&mutex) }
    var value: Int { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return count }
}

final class Flag: @unchecked Sendable {
    private let counter = Counter()
    func set() { counter.add() }
    var isSet: Bool { counter.value > 0 }
}

/// A pthread barrier for `parties` threads, so test threads start together.
final class Barrier: @unchecked Sendable {
    private var barrier = pthread_barrier_t()
    init(_ parties: Int) { pthread_barrier_init(&barrier, nil, UInt32(parties)) }
    deinit { pthread_barrier_destroy(&barrier) }
    func wait() { pthread_barrier_wait(&barrier) }
}
