import CChexpertABI
import ChexpertCore

/// Maps the opaque tokens of `chexpert_dataset *`, `chexpert_params *` and
/// `chexpert_job *` to live objects, so a closed, freed, stale or made-up
/// handle (or a handle of another kind) is an error rather than a
/// use-after-free.
///
/// The slots live in a `SlotTable` (checked allocation: no Swift array whose
/// growth could trap). A token is `generation << 32 | (slot + 1)`; every
/// registration takes a new generation, so an old token never matches a
/// later object in the same slot. All kinds share the slots; a lookup checks
/// the kind. Lookups return a strong reference: an object removed while calls
/// are running on it is freed when the last of them returns.
///
/// Its lock is a `Lock`, never held across `fork()` (see Lock.swift): a child
/// can always open, look up and close handles. Nothing is allocated, freed or
/// deinitialised under it: a full table's larger block is allocated before
/// taking the lock (and only copied into under it), a shrunk table's old
/// block freed after; removed objects are released outside the lock, so their
/// deinit never lengthens the critical section a `fork()` waits for. With a
/// handle open, a register/lookup/remove cycle (a batch job) allocates
/// nothing: the table grows when more handles are live than it holds, shrinks
/// when a quarter or less of it is used, and is freed when none is.
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()

    /// Allocates `count` slots of `stride` bytes, or nil (tests inject failures).
    typealias Allocator = @Sendable (_ count: Int, _ stride: Int) -> UnsafeMutableRawPointer?

    private let lock = Lock()
    private var table = SlotTable()
    private let allocate: Allocator

    init(allocate: @escaping Allocator = { CheckedAllocation.allocate(count: $0, stride: $1) }) {
        self.allocate = allocate
    }

    deinit {  // only test registries end
        if let slots = table.slots {
            for slot in 0..<table.used { slots[slot].object?.release() }
        }
        CheckedAllocation.free(table.slots.map(UnsafeMutableRawPointer.init))
    }

    /// Live handles and allocated slots (tests).
    var counts: (live: Int, capacity: Int) { lock.withLock { (table.live, table.capacity) } }

    private enum Step {
        case registered(UInt)
        case grow(Int)
        case full
    }

    /// Registers `object` and returns its token.
    /// - Throws: `.noMemory` when the table is full and a larger one cannot
    ///   be allocated, `.limit` past 2^31 - 1 live handles; either way the
    ///   registry is unchanged.
    func register(_ object: AnyObject) throws(ChexpertError) -> OpaquePointer {
        let retained = Unmanaged.passRetained(object)
        var spare: (block: UnsafeMutableRawPointer, capacity: Int)?
        while true {
            var unused: UnsafeMutableRawPointer?
            let step: Step = lock.withLock {
                if let offered = spare {
                    spare = nil
                    // Another thread may have grown the table meanwhile.
                    unused = offered.capacity > table.capacity
                        ? table.adopt(offered.block, capacity: offered.capacity) : offered.block
                }
                if let token = table.insert(retained) { return .registered(token) }
                guard let grown = table.grownCapacity else { return .full }
                return .grow(grown)
            }
            CheckedAllocation.free(unused)
            switch step {
            case .registered(let token):
                return unsafeBitCast(token, to: OpaquePointer.self)  // nonzero: its low half is slot + 1
            case .grow(let capacity):
                if let block = allocate(capacity, MemoryLayout<SlotTable.Slot>.stride) {
                    spare = (block, capacity)
                    continue
                }
                retained.release()
                let (bytes, overflow) = capacity.multipliedReportingOverflow(by: MemoryLayout<SlotTable.Slot>.stride)
                throw ChexpertError(.noMemory, overflow
                    ? "cannot allocate the handle table for \(capacity) handles"
                    : "cannot allocate \(bytes) bytes for the handle table (\(capacity) handles)")
            case .full:
                retained.release()
                throw ChexpertError(.limit, "too many open handles")
            }
        }
    }

    /// The dataset behind `handle`.
    /// - Throws: `.nullPointer` for NULL; `.closed` for a closed, unknown or
    ///   other kind of handle.
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
        guard let taken = take(UInt(bitPattern: handle), as: BatchJob.self),
              let job = taken.takeRetainedValue() as? BatchJob else {
            throw ChexpertError(.closed, "job \(handle) was waited for already, or was not returned by \(Self.jobCreators)")
        }
        return job
    }

    private static let jobCreators: StaticString = "chexpert_batch_resized_start or chexpert_batch_images_start"

    /// The `T` behind `handle`.
    /// - Parameters: `argument`, `creator`: the C parameter's name and the
    ///   function that makes such handles, for messages.
    /// - Throws: `.nullPointer` for NULL; `.closed` for a removed, unknown or
    ///   other kind of handle.
    func lookup<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, argument: StaticString,
                              creator: StaticString) throws(ChexpertError) -> T {
        guard let handle else { throw ChexpertError.null(argument) }
        let token = UInt(bitPattern: handle)
        let found: AnyObject? = lock.withLock {
            guard let slot = table.slot(of: token) else { return nil }
            return table.object(at: slot)?.takeUnretainedValue()  // retained here: a strong reference
        }
        guard let found = found as? T else {
            throw ChexpertError(.closed, "\(argument) \(handle) is closed or freed, or was not returned by \(creator)")
        }
        return found
    }

    /// Forgets `handle`'s object if it is a `T`; NULL, unknown handles and
    /// handles of another kind are ignored.
    /// - Returns: whether an object was removed.
    @discardableResult
    func remove<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) -> Bool {
        guard let handle, let removed = take(UInt(bitPattern: handle), as: T.self) else { return false }
        removed.release()  // outside the lock: its deinit may free other locks
        return true
    }

    /// Empties the slot of `token` if it holds a `T` and returns its object,
    /// still retained; shrinks or frees the table if it became sparse.
    private func take<T: AnyObject>(_ token: UInt, as type: T.Type) -> Unmanaged<AnyObject>? {
        var shrinkTo: Int?
        let removed: Unmanaged<AnyObject>? = lock.withLock {
            guard let slot = table.slot(of: token),
                  table.object(at: slot)?.takeUnretainedValue() is T else { return nil }
            let object = table.remove(at: slot)
            shrinkTo = table.shrunkCapacity
            return object
        }
        if let shrinkTo { shrink(to: shrinkTo) }
        return removed
    }

    /// Moves the table into `capacity` slots (0: frees it), allocating
    /// outside the lock. Gives up if that cannot be allocated (the larger
    /// block is kept; a later removal tries again) or if other threads
    /// changed the table meanwhile.
    private func shrink(to capacity: Int) {
        var block: UnsafeMutableRawPointer?
        if capacity > 0 {
            block = allocate(capacity, MemoryLayout<SlotTable.Slot>.stride)
            if block == nil { return }
        }
        let unused: UnsafeMutableRawPointer? = lock.withLock {
            guard table.shrunkCapacity == capacity else { return block }
            return table.adopt(block, capacity: capacity)
        }
        CheckedAllocation.free(unused)
    }
}
