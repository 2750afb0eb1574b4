import Synchronization

/// A one-way switch another thread raises to cancel a blocking operation (a database
/// statement, an HTTP transfer) that checks it as it runs. Once raised it stays raised;
/// raising and reading are safe from any thread at any time.
public final class CancelFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// A flag that is not raised.
    public init() {}

    /// Raises the flag; the operation stops at its next check. Raising twice is harmless.
    public func raise() { raised.store(true, ordering: .relaxed) }

    /// True once `raise()` was called, on any thread.
    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}
