import CChexpertABI
import Glibc

/// The per-thread list behind `chexpert_last_substitutions()`: the batch
/// positions and statuses of the examples the thread's last
/// `chexpert_batch_read_resized` call substituted. A malloc'd block held in a
/// pthread key ([count][positions: Int64 x count][statuses: Int32 x count]),
/// freed when replaced or when the thread exits.
enum LastSubstitutions {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key) { free($0) }
        return key
    }()

    /// Replaces the calling thread's list (empty: no block).
    /// - Throws: `CHEXPERT_E_NO_MEMORY` when the list cannot be stored (the
    ///   list is then empty).
    static func set(_ entries: [(position: Int, status: Int32)]) throws(Failure) {
        let old = pthread_getspecific(key)
        var block: UnsafeMutableRawPointer?
        if !entries.isEmpty {
            // entries.count <= the batch's count, whose output fits in memory: no overflow.
            guard let stored = malloc(8 + entries.count * 12) else {
                clear(old)
                throw Failure(CHEXPERT_E_NO_MEMORY, "cannot store the list of \(entries.count) substituted examples")
            }
            stored.storeBytes(of: Int64(entries.count), as: Int64.self)
            let positions = (stored + 8).assumingMemoryBound(to: Int64.self)
            let statuses = (stored + 8 + entries.count * 8).assumingMemoryBound(to: Int32.self)
            for (i, entry) in entries.enumerated() {
                positions[i] = Int64(entry.position)
                statuses[i] = entry.status
            }
            block = stored
        }
        if pthread_setspecific(key, block) == 0 {
            free(old)
        } else {
            free(block)
            throw Failure(CHEXPERT_E_NO_MEMORY, "cannot store the list of \(entries.count) substituted examples")
        }
    }

    private static func clear(_ old: UnsafeMutableRawPointer?) {
        if pthread_setspecific(key, nil) == 0 { free(old) }
    }

    /// The calling thread's list.
    static var current: (positions: UnsafeBufferPointer<Int64>, statuses: UnsafeBufferPointer<Int32>) {
        guard let block = pthread_getspecific(key) else {
            return (UnsafeBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(block.load(as: Int64.self))
        return (UnsafeBufferPointer(start: (block + 8).assumingMemoryBound(to: Int64.self), count: count),
                UnsafeBufferPointer(start: (block + 8 + count * 8).assumingMemoryBound(to: Int32.self), count: count))
    }
}
