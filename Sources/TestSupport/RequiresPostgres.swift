public import Testing

/// Gates a suite on a PostgreSQL server being installed: without one, each of its tests is
/// skipped (not run, never passed) with the reason, and counted for the line the process
/// prints at exit (`PostgresCluster.noteNotRun`).
public struct RequiresPostgres: TestTrait, SuiteTrait {
    public var isRecursive: Bool { true }

    public func prepare(for test: Test) async throws {
        guard let reason = PostgresCluster.unavailableReason else { return }
        if !test.isSuite { PostgresCluster.noteNotRun() }
        try await ConditionTrait.disabled(Comment(rawValue: "\(reason): not run")).prepare(for: test)
    }
}

extension Trait where Self == RequiresPostgres {
    /// Runs the suite only where a throwaway PostgreSQL cluster can be started.
    public static var requiresPostgres: Self { RequiresPostgres() }
}
