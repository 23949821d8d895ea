/// Per batch position, the data error an example gave (substituted under
/// `BadExamplePolicy.substitute`, or reported by `batchVerify`), or nil.
///
/// Memory is bounded and checked: one byte per position (the error's code),
/// allocated with `CheckedAllocation` (`.noMemory` on failure, never a trap),
/// plus the error's message only when the caller keeps messages
/// (`batchVerify`). `batchResized` keeps no messages: a batch of millions of
/// missing files costs a byte per example, not an error object each.
package final class ExampleErrors {
    /// Number of positions.
    package let count: Int
    /// Per position: 0 none, else `Self.tag(of:)` of the error's code.
    private let codes: UnsafeMutablePointer<UInt8>?
    /// Per position, the error when messages are kept.
    private let errors: UnsafeMutablePointer<ChexpertError?>?
    /// Positions with an error.
    package private(set) var failures = 0

    /// `count` positions, none failed, with no storage (a batch that
    /// substitutes nothing).
    package init(none count: Int) {
        self.count = count
        codes = nil
        errors = nil
    }

    /// - Throws: `.noMemory`.
    init(count: Int, keepingMessages: Bool) throws(ChexpertError) {
        self.count = count
        let codes = try UnsafeMutablePointer<UInt8>.allocateChecked(count, for: "the statuses of \(count) examples")
        codes.initialize(repeating: 0, count: count)
        if keepingMessages {
            guard let errors = UnsafeMutablePointer<ChexpertError?>.allocateChecked(count) else {
                codes.deallocateChecked()
                throw ChexpertError(.noMemory, "cannot allocate the messages of \(count) examples")
            }
            errors.initialize(repeating: nil, count: count)
            self.errors = errors
        } else {
            errors = nil
        }
        self.codes = codes
    }

    deinit {
        codes?.deallocateChecked()
        if let errors {
            errors.deinitialize(count: count)
            errors.deallocateChecked()
        }
    }

    /// Records `error` for `position` (each position from one thread only).
    func record(_ error: ChexpertError, at position: Int) {
        guard let codes, position >= 0, position < count else { return }
        codes[position] = Self.tag(of: error.code)
        errors?[position] = error
    }

    /// Counts the failures (after the workers are joined).
    func finish() {
        guard let codes else { return }
        var n = 0
        for position in 0 ..< count where codes[position] != 0 { n += 1 }
        failures = n
    }

    /// Whether `position` failed.
    package func failed(_ position: Int) -> Bool {
        guard let codes, position >= 0, position < count else { return false }
        return codes[position] != 0
    }

    /// The error of `position`, or nil: the kept error, or (messages not
    /// kept) one with the code and the message "substituted".
    package subscript(position: Int) -> ChexpertError? {
        guard let codes, position >= 0, position < count, codes[position] != 0 else { return nil }
        if let errors, let error = errors[position] { return error }
        return ChexpertError(Self.code(ofTag: codes[position]), "substituted")
    }

    /// The data errors' codes (`BadExamplePolicy.isDataError`), as tags 1...
    private static func tag(of code: ChexpertError.Code) -> UInt8 {
        switch code {
        case .notFound: 1
        case .io: 2
        case .image: 3
        case .limit: 4
        default: 5
        }
    }

    private static func code(ofTag tag: UInt8) -> ChexpertError.Code {
        switch tag {
        case 1: .notFound
        case 2: .io
        case 3: .image
        case 4: .limit
        default: .internal
        }
    }
}
