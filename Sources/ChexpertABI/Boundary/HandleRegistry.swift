import CChexpertABI
import ChexpertCore

/// Maps `chexpert_dataset *` tokens to open datasets, so a closed, stale or
/// made-up handle is an error rather than a use-after-free.
///
/// A token is `generation << 32 | (slot + 1)`; closing bumps the slot's
/// generation, so an old token never matches a later dataset in the same
/// slot. Lookups return a strong reference: a dataset closed while calls are
/// running on it is freed when the last of them returns.
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()

    private let lock = Lock()
    private var datasets: [Dataset?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []

    /// Registers `dataset` and returns its token.
    /// - Throws: `CHEXPERT_E_LIMIT` past 2^31 - 1 open datasets.
    func register(_ dataset: Dataset) throws(Failure) -> OpaquePointer {
        let token: UInt? = lock.withLock {
            let slot: Int
            if let reused = freeSlots.popLast() {
                slot = reused
                datasets[slot] = dataset
            } else {
                guard datasets.count < Int(Int32.max) else { return nil }
                slot = datasets.count
                datasets.append(dataset)
                generations.append(1)
            }
            return UInt(generations[slot]) << 32 | UInt(slot + 1)
        }
        guard let token, let handle = OpaquePointer(bitPattern: token) else {
            throw Failure(CHEXPERT_E_LIMIT, "too many open datasets")
        }
        return handle
    }

    /// The dataset behind `handle`.
    /// - Throws: `CHEXPERT_E_NULL_POINTER` for NULL, `CHEXPERT_E_CLOSED` for a
    ///   closed or unknown handle.
    func dataset(_ handle: OpaquePointer?) throws(Failure) -> Dataset {
        guard let handle else { throw Failure.null("ds") }
        let token = UInt(bitPattern: handle)
        let found: Dataset? = lock.withLock {
            guard let slot = slot(of: token) else { return nil }
            return datasets[slot]
        }
        guard let found else {
            throw Failure(CHEXPERT_E_CLOSED, "ds \(handle) is closed or was not returned by chexpert_dataset_open")
        }
        return found
    }

    /// Forgets `handle`'s dataset; an unknown handle is ignored.
    func close(_ handle: OpaquePointer?) {
        guard let handle else { return }
        let token = UInt(bitPattern: handle)
        let closed: Dataset? = lock.withLock {
            guard let slot = slot(of: token) else { return nil }
            let dataset = datasets[slot]
            datasets[slot] = nil
            generations[slot] = generations[slot] == UInt32.max ? 1 : generations[slot] + 1
            freeSlots.append(slot)
            return dataset
        }
        _ = closed  // released here, outside the lock
    }

    /// The slot a token names, if it is live. Call with the lock held.
    private func slot(of token: UInt) -> Int? {
        let low = Int(token & 0xFFFF_FFFF)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        guard low >= 1, low <= datasets.count else { return nil }
        let slot = low - 1
        guard generations[slot] == generation, datasets[slot] != nil else { return nil }
        return slot
    }
}
