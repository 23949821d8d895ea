import CSystem
import Glibc

/// The per-thread message behind `chexpert_last_error()`: a malloc'd copy
/// held in a pthread key, freed when replaced or when the thread exits.
///
/// The key is created when the library is loaded (`cxp_error_key`,
/// Sources/CSystem/csystem.c), not lazily: a lazy Swift global is initialised
/// under a lock a `fork()` could leave held in the child.
enum LastError {
    /// The key, or nil if it could not be created (messages are then dropped).
    private static var key: pthread_key_t? {
        var ok: CInt = 0
        let key = pthread_key_t(cxp_error_key(&ok))
        return ok != 0 ? key : nil
    }

    /// Replaces the calling thread's message.
    static func set(_ message: String) {
        guard let key else { return }
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
        if let key, let message = pthread_getspecific(key) {
            return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
        }
        return StaticCString.pointer("")
    }
}
