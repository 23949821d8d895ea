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

    /// Replaces the calling thread's list (nil or empty: no block).
    static func set(_ entries: [(position: Int, status: Int32)]) {
        let old = pthread_getspecific(key)
        var block: UnsafeMutableRawPointer?
        if !entries.isEmpty {
            let bytes = 8 + entries.count * 12
            block = malloc(bytes)
            if let block {
                block.storeBytes(of: Int64(entries.count), as: Int64.self)
                let positions = (block + 8).assumingMemoryBound(to: Int64.self)
                let statuses = (block + 8 + entries.count * 8).assumingMemoryBound(to: Int32.self)
                for (i, entry) in entries.enumerated() {
                    positions[i] = Int64(entry.position)
                    statuses[i] = entry.status
                }
            }
        }
        if pthread_setspecific(key, block) == 0 {
            free(old)
        } else {
            free(block)
        }
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
