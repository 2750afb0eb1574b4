public import Storage
import Understanding
import BaohaoSupport

/// Owner of `labelled_examples`: questions whose right answer a customer's clarify tap or
/// an operator confirmed. The regression gate replays them before every FAQ change.
public enum LabelledExamples {
    /// Stores one (and counts it for /stats). `target` is a `MatchTarget`'s stored form, or nil.
    static func add(_ db: any Connection, text: String, label: String, target: MatchTarget?, source: String, at now: Instant) throws {
        try db.execute(
            "INSERT INTO labelled_examples (at, text, label, target, source) VALUES (?, ?, ?, ?, ?)", now.description, text, label, target?.description, source)
        try DailyCounts.increment(db, .labels, at: now)
    }

    /// Every stored question, oldest first: clarify taps and operator-accepted phrasings.
    public static func all(_ db: any Connection) throws -> [LabelledQuestion] {
        try db.query("SELECT text, label, target, source FROM labelled_examples ORDER BY id") { row in
            let target: String? = if case .faq(let id)? = row.optionalString(2).flatMap(MatchTarget.init(description:)) { id } else { nil }
            return LabelledQuestion(text: row.string(0), label: row.string(1), target: target, source: row.string(3))
        }
    }

    /// Points the examples that named one target at another (an entry absorbed into another).
    static func retarget(_ db: any Connection, _ moves: [(from: MatchTarget, to: MatchTarget)]) throws {
        for move in moves {
            try db.execute("UPDATE labelled_examples SET target = ? WHERE target = ?", move.to.description, move.from.description)
        }
    }
}
