import Storage

/// Writes to `labelled_examples`: questions whose right answer a customer's clarify tap or
/// an operator confirmed; the regression gate replays them (`RegressionGate.storedQuestions`).
enum LabelledExamples {
    /// Stores one (and counts it for /stats). `target` is `AnswerTarget.encoded` or nil.
    static func add(_ db: Connection, text: String, label: String, target: String?, source: String, at now: Instant) throws {
        try db.execute("INSERT INTO labelled_examples (at, text, label, target, source) VALUES (?, ?, ?, ?, ?)", now.description, text, label, target, source)
        try DailyCounts.increment(db, .labels, at: now)
    }
}
