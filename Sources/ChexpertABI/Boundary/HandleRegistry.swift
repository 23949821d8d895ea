import CChexpertABI
import ChexpertCore

/// Maps the opaque tokens of `chexpert_dataset *` and `chexpert_params *` to
/// live objects, so a closed, freed, stale or made-up handle (or a handle of
/// the other kind) is an error rather than a use-after-free.
///
/// A token is `generation << 32 | (slot + 1)`; removing bumps the slot's
/// generation, so an old token never matches a later object in the same
/// slot. Datasets and parameter sets share the slots; a lookup checks the
/// kind. Lookups return a strong reference: an object removed while calls
/// are running on it is freed when the last of them returns. Its lock is a
/// `Lock`, never held across `fork()` (see Lock.swift): a child can always
/// open, look up and close handles. Removed objects are released outside
/// the lock, so their deinit (which may free other locks) never lengthens
/// the critical section a `fork()` waits for.
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()

    private let lock = Lock()
    private var objects: [AnyObject?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []

    /// Registers `object` and returns its token.
    /// - Throws: `.limit` past 2^31 - 1 live handles.
    func register(_ object: AnyObject) throws(ChexpertError) -> OpaquePointer {
        let token: UInt? = lock.withLock {
            let slot: Int
            if let reused = freeSlots.popLast() {
                slot = reused
                objects[slot] = object
            } else {
                guard objects.count < Int(Int32.max) else { return nil }
                slot = objects.count
                objects.append(object)
                generations.append(1)
            }
            return UInt(generations[slot]) << 32 | UInt(slot + 1)
        }
        guard let token, let handle = OpaquePointer(bitPattern: token) else {
            throw ChexpertError(.limit, "too many open handles")
        }
        return handle
    }

    /// The dataset behind `handle`.
    /// - Throws: `.nullPointer` for NULL; `.closed` for a closed, unknown or
    ///   parameter-set handle.
    func dataset(_ handle: OpaquePointer?) throws(ChexpertError) -> Dataset {
        try lookup(handle, as: Dataset.self, argument: "ds", creator: "chexpert_dataset_open")
    }

    /// The parameter set behind `handle`.
    /// - Parameter argument: the C parameter's name, for messages.
    /// - Throws: `.nullPointer` for NULL; `.closed` for a freed, unknown or
    ///   dataset handle.
    func params(_ handle: OpaquePointer?, argument: StaticString = "params") throws(ChexpertError) -> ParamSet {
        try lookup(handle, as: ParamSet.self, argument: argument, creator: "chexpert_params_create")
    }

    /// The job behind `handle`.
    /// - Throws: `.nullPointer` for NULL; `.closed` for a waited-for, unknown
    ///   or other kind of handle.
    func job(_ handle: OpaquePointer?) throws(ChexpertError) -> BatchJob {
        try lookup(handle, as: BatchJob.self, argument: "job", creator: Self.jobCreators)
    }

    /// Removes the job behind `handle` and returns it: of several threads
    /// waiting for one job, one gets it.
    /// - Throws: as `job`.
    func takeJob(_ handle: OpaquePointer?) throws(ChexpertError) -> BatchJob {
        guard let handle else { throw ChexpertError.null("job") }
        let token = UInt(bitPattern: handle)
        let taken: BatchJob? = lock.withLock {
            guard let slot = slot(of: token), let job = objects[slot] as? BatchJob else { return nil }
            objects[slot] = nil
            generations[slot] = generations[slot] == UInt32.max ? 1 : generations[slot] + 1
            freeSlots.append(slot)
            return job
        }
        guard let taken else {
            throw ChexpertError(.closed, "job \(handle) was waited for already, or was not returned by \(Self.jobCreators)")
        }
        return taken
    }

    private static let jobCreators: StaticString = "chexpert_batch_resized_start or chexpert_batch_images_start"

    private func lookup<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, argument: StaticString,
                                      creator: StaticString) throws(ChexpertError) -> T {
        guard let handle else { throw ChexpertError.null(argument) }
        let token = UInt(bitPattern: handle)
        let found: T? = lock.withLock {
            guard let slot = slot(of: token) else { return nil }
            return objects[slot] as? T
        }
        guard let found else {
            throw ChexpertError(.closed, "\(argument) \(handle) is closed or freed, or was not returned by \(creator)")
        }
        return found
    }

    /// Forgets `handle`'s object if it is a `T`; NULL, unknown handles and
    /// handles of the other kind are ignored.
    /// - Returns: whether an object was removed.
    @discardableResult
    func remove<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) -> Bool {
        guard let handle else { return false }
        let token = UInt(bitPattern: handle)
        let removed: AnyObject? = lock.withLock {
            guard let slot = slot(of: token), let object = objects[slot], object is T else { return nil }
            objects[slot] = nil
            generations[slot] = generations[slot] == UInt32.max ? 1 : generations[slot] + 1
            freeSlots.append(slot)
            return object
        }
        return removed != nil  // released here, outside the lock
    }

    /// The slot a token names, if it is live. Call with the lock held.
    private func slot(of token: UInt) -> Int? {
        let low = Int(token & 0xFFFF_FFFF)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        guard low >= 1, low <= objects.count, low <= generations.count else { return nil }
        let slot = low - 1
        guard generations[slot] == generation, objects[slot] != nil else { return nil }
        return slot
    }
}
