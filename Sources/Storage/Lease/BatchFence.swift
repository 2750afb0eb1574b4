/// The fenced half of a batch's commit on PostgreSQL: in the batch's own transaction, the
/// offset is stored on the lease row `WHERE epoch = mine`. Zero rows means another instance
/// took the lease: the fence is marked, and `LeaseLost` rolls the batch back.
public struct BatchFence: Sendable {
    public let fence: LeaseFence
    public let store: PGLeaseStore

    public init(fence: LeaseFence, store: PGLeaseStore) {
        self.fence = fence
        self.store = store
    }

    /// This instance's epoch while it still holds the lease (`PGLeaseStore.holds`), checked in
    /// the caller's transaction; nil, with the fence marked, once another epoch holds it.
    public func heldEpoch(_ db: any Connection) throws -> Int64? {
        guard let epoch = fence.epoch else { return nil }
        guard try store.holds(db, epoch: epoch) else {
            fence.markFenced()
            return nil
        }
        return epoch
    }

    /// Stores `offset` fenced on this instance's epoch, or throws `LeaseLost`.
    public func commit(_ db: any Connection, offset: Int64) throws {
        guard let epoch = fence.epoch else { throw LeaseLost(epoch: nil) }
        guard try store.storeOffset(db, offset, epoch: epoch) else {
            fence.markFenced()
            throw LeaseLost(epoch: epoch)
        }
    }
}
