import ChexpertCore

/// The object behind a `chexpert_params *` token: `ParamValues` under a
/// lock, so calls on several threads may set and read it at once. The lock
/// is a `Lock`, never held across `fork()` (see Lock.swift): a child may use
/// a parameter set it inherited.
final class ParamSet: @unchecked Sendable {
    private let lock = Lock()
    private var values = ParamValues()

    init() {}

    /// A copy of the values, taken by every call at its start.
    var snapshot: ParamValues { lock.withLock { values } }

    /// Changes the values atomically: `change` works on a copy that replaces
    /// them only if it does not throw (on error the set is unchanged).
    func modify(_ change: (inout ParamValues) throws(ChexpertError) -> Void) throws(ChexpertError) {
        try lock.withLock { () throws(ChexpertError) in
            var copy = values
            try change(&copy)
            values = copy
        }
    }

    /// The values `params` gives a call: the set's snapshot, or the empty
    /// set for NULL.
    /// - Throws: `.closed` for a freed, unknown or dataset handle.
    static func values(_ params: OpaquePointer?, argument: StaticString = "params") throws(ChexpertError) -> ParamValues {
        guard let params else { return ParamValues() }
        return try HandleRegistry.shared.params(params, argument: argument).snapshot
    }
}
