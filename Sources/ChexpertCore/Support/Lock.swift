import CSystem
import Glibc

/// A pthread mutex (no Dispatch, no Foundation) that is safe across `fork()`.
///
/// Every `withLock` runs inside the process-wide fork gate
/// (`cxp_fork_gate_enter`, Sources/CSystem/csystem.c): a `pthread_atfork`
/// prepare handler takes the gate exclusively, so `fork()` never happens
/// while any thread holds any `Lock`. In the child every `Lock` is unlocked
/// and the state it guards is consistent, whatever the parent's other
/// threads were doing. This covers every instance (the handle registry's,
/// each parameter set's, each dataset's, each batch's) without a list.
///
/// Rules that keep this deadlock-free: `body` must not take the same lock
/// again, and must not wait for another thread to enter a critical section
/// (no condition-variable waits inside `withLock`). Nested sections of other
/// locks are fine (the gate is taken once per thread). Use `Lock` for every
/// mutex of the library; a raw `pthread_mutex_t` would not be covered.
package final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held (and the fork gate entered).
    package func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        cxp_fork_gate_enter()
        pthread_mutex_lock(mutex)
        defer {
            pthread_mutex_unlock(mutex)
            cxp_fork_gate_leave()
        }
        return try body()
    }
}
