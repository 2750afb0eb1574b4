/// Where the sender notes each send Telegram accepted, the moment it is accepted and before
/// the outbox records it as sent, so that after a crash (or a failover) those items are
/// marked sent instead of going twice. Only the sends in flight at the fault can repeat.
protocol AcceptedSendsJournal: Sendable {
    /// Telegram accepted item `id`. False when it could not be noted (the database is
    /// unreachable): the sender then stops its round, since what it sends next could not be
    /// told apart from what still needs sending.
    @discardableResult
    func record(_ id: Int64) -> Bool
    /// Telegram accepted `partsSent` parts of item `id` (and the late notice when set).
    func recordProgress(_ id: Int64, partsSent: Int, lateNotice: Bool)
    /// The items accepted whole that the outbox may not record yet.
    func recorded() -> [Int64]
    /// The items accepted in part: id → (parts sent, late notice sent), the furthest noted.
    func recordedProgress() -> [Int64: (partsSent: Int, lateNotice: Bool)]
    /// Everything noted so far is recorded in the outbox now.
    func clear()
}
