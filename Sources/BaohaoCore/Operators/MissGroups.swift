public import Storage
import Understanding
import BaohaoSupport

/// Questions the bot could not answer, grouped by similarity so that an operator handles a
/// whole group with one tap: most frequent first.
public enum MissGroups {
    public struct Miss: Sendable, Equatable {
        public let id: Int64
        public let text: String
    }

    public struct Group: Sendable, Equatable {
        /// The miss that stands for the group (its id goes into the buttons).
        public let representative: Miss
        public let members: [Miss]
    }

    /// Logs a question the assistant could not answer (and counts it for /stats).
    static func record(_ db: any Connection, chat: Int64, text: String, language: Language, at now: Instant) throws {
        try db.execute("INSERT INTO unanswered (chat_id, at, text, language) VALUES (?, ?, ?, ?)", chat, now.description, String(text.prefix(1000)), language.rawValue)
        try DailyCounts.increment(db, .misses, at: now)
    }

    /// Open misses (not yet added or ignored), newest first.
    public static func open(_ db: any Connection, limit: Int = 1_000) throws -> [Miss] {
        try db.query("SELECT id, text FROM unanswered WHERE resolution IS NULL ORDER BY id DESC LIMIT ?", Int64(limit)) { Miss(id: $0.int64(0), text: $0.string(1)) }
    }

    /// Groups `misses` whose normalized texts share enough character pairs with a member of
    /// the group (Jaccard over bigrams ≥ `threshold`), largest group first, then newest.
    public static func group(_ misses: [Miss], normalize: (String) -> String, threshold: Double = 0.4) -> [Group] {
        var groups: [(representative: Miss, grams: [Set<UInt64>], members: [Miss])] = []
        for miss in misses {
            let grams = bigrams(normalize(miss.text))
            if let index = groups.firstIndex(where: { $0.grams.contains { similarity($0, grams) >= threshold } }) {
                groups[index].members.append(miss)
                if groups[index].grams.count < 20 { groups[index].grams.append(grams) }
            } else {
                groups.append((miss, [grams], [miss]))
            }
        }
        return groups.enumerated().sorted { a, b in
            a.element.members.count != b.element.members.count ? a.element.members.count > b.element.members.count : a.offset < b.offset
        }.map { Group(representative: $0.element.representative, members: $0.element.members) }
    }

    /// The group that holds the miss `id` among the open misses now, or nil when it is no longer open.
    public static func group(of id: Int64, in db: any Connection, normalize: (String) -> String) throws -> Group? {
        group(try open(db), normalize: normalize).first { $0.members.contains { $0.id == id } }
    }

    /// Marks the members resolved (`added:<entry>`, `new:<entry>`, `ignored`).
    public static func resolve(_ db: any Connection, _ members: [Miss], as resolution: String) throws {
        for miss in members { try db.execute("UPDATE unanswered SET resolution = ? WHERE id = ?", resolution, miss.id) }
    }

    static func bigrams(_ text: String) -> Set<UInt64> {
        let scalars = text.unicodeScalars.filter { $0 != " " }.map(\.value)
        guard scalars.count > 1 else { return Set(scalars.map(UInt64.init)) }
        var grams: Set<UInt64> = []
        for i in 0..<(scalars.count - 1) { grams.insert(UInt64(scalars[i]) << 32 | UInt64(scalars[i + 1])) }
        return grams
    }

    static func similarity(_ a: Set<UInt64>, _ b: Set<UInt64>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        let shared = a.intersection(b).count
        return Double(shared) / Double(a.count + b.count - shared)
    }
}
