/// Pointers to string literals, which live as long as the library and are
/// NUL-terminated, for the functions that return static strings.
enum StaticCString {
    static func pointer(_ string: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(string.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
