/// Hands out batch positions 0 ..< count in increasing order to worker
/// threads (see `BatchRunner`).
final class PositionQueue: @unchecked Sendable {
    private let lock = Lock()
    private var upcoming = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next position, or nil when all are handed out or after `stop()`.
    func next() -> Int? {
        lock.withLock {
            guard upcoming < count else { return nil }
            defer { upcoming += 1 }
            return upcoming
        }
    }

    /// Hands out nothing more.
    func stop() { lock.withLock { upcoming = count } }
}
