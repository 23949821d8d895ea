import Glibc

/// The per-thread message behind `chexpert_last_error()`: a malloc'd copy
/// held in a pthread key, freed when replaced or when the thread exits.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key) { free($0) }
        return key
    }()

    /// Replaces the calling thread's message.
    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        let copy = message.withCString { strdup($0) }
        if pthread_setspecific(key, copy) == 0 {
            free(old)
        } else {
            free(copy)
        }
    }

    /// The calling thread's message, or "" if none was set.
    static var current: UnsafePointer<CChar>? {
        if let message = pthread_getspecific(key) {
            return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
        }
        return StaticCString.pointer("")
    }
}
