public import Storage
public import Understanding
public import BaohaoSupport

/// The FAQ as the database holds it: every entry's versions (who, when, what changed), the
/// current version of each, and a generation number that grows with every change so a
/// running bot can tell that it must reload. Runs in the caller's transaction.
public enum FAQStore {
    /// One saved version of an entry; `entry` is nil for a version that deleted it.
    public struct Version: Sendable, Equatable {
        public let entryID: String
        public let version: Int
        public let entry: FAQEntry?
        public let author: String
        public let at: String
        /// What changed from the version before, one change per line.
        public let note: String
    }

    /// Why a change was refused.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        /// Someone saved a newer version since the one this change was based on.
        case conflict(entry: String, basedOn: Int?, current: Int)
        case unknownEntry(String)
        case unknownVersion(entry: String, version: Int)
        case alreadyExists(String)
        case alreadyDeleted(String)
        case unchanged(String)

        public var description: String {
            switch self {
            case .conflict(let entry, let basedOn, let current):
                "\(entry) changed meanwhile: you edited version \(basedOn.map(String.init) ?? "none"), the current one is \(current)"
            case .unknownEntry(let id): "there is no entry \(id)"
            case .unknownVersion(let id, let version): "\(id) has no version \(version)"
            case .alreadyExists(let id): "an entry \(id) already exists"
            case .alreadyDeleted(let id): "\(id) is deleted"
            case .unchanged(let id): "nothing would change in \(id)"
            }
        }
    }

    /// Stores `entries` as version 1 each when the database holds no FAQ yet (and marks it as
    /// needing no regroup). True when it did.
    @discardableResult
    public static func seedIfEmpty(_ db: any Connection, entries: [FAQEntry], author: String, at now: Instant) throws -> Bool {
        let count = try db.queryFirst("SELECT count(*) FROM faq_entries") { $0.int64(0) } ?? 0
        guard count == 0, !entries.isEmpty else { return false }
        try db.transaction {
            for (position, entry) in entries.enumerated() {
                try insertVersion(db, entry.id, 1, entry, author: author, at: now, note: "imported")
                try db.execute("INSERT INTO faq_entries (entry_id, position, version) VALUES (?, ?, 1)", entry.id, Int64(position))
            }
            try BotState.increment(db, .faqGeneration, at: now)
            // Seeded in today's format: nothing for `FAQRegroup` to bring over.
            try BotState.set(db, .faqRegrouped, to: 1, at: now)
        }
        return true
    }

    /// The current entries (deleted ones left out), in the order they were first added.
    public static func current(_ db: any Connection) throws -> [FAQEntry] {
        try db.query(
            """
            SELECT v.body FROM faq_entries e JOIN faq_versions v ON v.entry_id = e.entry_id AND v.version = e.version
            WHERE e.deleted = 0 ORDER BY e.position
            """
        ) { row in try decodeBody(row.string(0)) }
    }

    /// The latest version of `id` (a deleting one included), or nil for an id never used.
    public static func latest(_ db: any Connection, id: String) throws -> Version? {
        guard let version = try db.queryFirst("SELECT version FROM faq_entries WHERE entry_id = ?", id, map: { Int($0.int64(0)) }) else { return nil }
        return try self.version(db, id: id, version: version)
    }

    public static func version(_ db: any Connection, id: String, version: Int) throws -> Version? {
        try db.queryFirst("SELECT body, author, at, note FROM faq_versions WHERE entry_id = ? AND version = ?", id, Int64(version)) { row in
            Version(
                entryID: id, version: version, entry: try row.optionalString(0).map(decodeBody), author: row.string(1), at: row.string(2),
                note: row.string(3))
        }
    }

    /// Every version of `id`, oldest first.
    public static func history(_ db: any Connection, id: String) throws -> [Version] {
        try db.query("SELECT version, body, author, at, note FROM faq_versions WHERE entry_id = ? ORDER BY version", id) { row in
            Version(
                entryID: id, version: Int(row.int64(0)), entry: try row.optionalString(1).map(decodeBody), author: row.string(2), at: row.string(3),
                note: row.string(4))
        }
    }

    /// Saves `entry` as a new version. `basedOn` is the version the author started from (nil
    /// for a new entry); if another version was saved since, the save is refused (optimistic locking).
    @discardableResult
    public static func save(_ db: any Connection, _ entry: FAQEntry, basedOn: Int?, author: String, at now: Instant) throws -> Version {
        try db.transaction {
            let latest = try latest(db, id: entry.id)
            switch (latest, basedOn) {
            case (nil, nil):
                let position = try db.queryFirst("SELECT coalesce(max(position), -1) + 1 FROM faq_entries") { $0.int64(0) } ?? 0
                let note = FAQDiff.lines(from: nil, to: entry).joined(separator: "\n")
                try insertVersion(db, entry.id, 1, entry, author: author, at: now, note: note)
                try db.execute("INSERT INTO faq_entries (entry_id, position, version) VALUES (?, ?, 1)", entry.id, position)
                try BotState.increment(db, .faqGeneration, at: now)
                return Version(entryID: entry.id, version: 1, entry: entry, author: author, at: now.description, note: note)
            case (let latest?, nil):
                // A deleted id may be used again: the new entry continues its history.
                guard latest.entry == nil else { throw Refusal.alreadyExists(entry.id) }
                return try append(db, entry.id, entry, after: latest, author: author, at: now)
            case (nil, let based?):
                throw Refusal.conflict(entry: entry.id, basedOn: based, current: 0)
            case (let latest?, let based?):
                guard latest.version == based else { throw Refusal.conflict(entry: entry.id, basedOn: based, current: latest.version) }
                guard latest.entry != nil else { throw Refusal.alreadyDeleted(entry.id) }
                guard latest.entry != entry else { throw Refusal.unchanged(entry.id) }
                return try append(db, entry.id, entry, after: latest, author: author, at: now)
            }
        }
    }

    /// Deletes `id` (a new version without a body; its history stays).
    @discardableResult
    /// `note`: why, put before the diff in the history ("absorbed into …").
    public static func delete(_ db: any Connection, id: String, basedOn: Int, author: String, at now: Instant, note: String? = nil) throws -> Version {
        try db.transaction {
            guard let latest = try latest(db, id: id) else { throw Refusal.unknownEntry(id) }
            guard latest.version == basedOn else { throw Refusal.conflict(entry: id, basedOn: basedOn, current: latest.version) }
            guard latest.entry != nil else { throw Refusal.alreadyDeleted(id) }
            return try append(db, id, nil, after: latest, author: author, at: now, prefix: note)
        }
    }

    /// Makes the content of `version` current again, as a new version.
    @discardableResult
    public static func rollback(_ db: any Connection, id: String, to version: Int, basedOn: Int?, author: String, at now: Instant) throws -> Version {
        try db.transaction {
            guard let latest = try latest(db, id: id) else { throw Refusal.unknownEntry(id) }
            if let basedOn, latest.version != basedOn { throw Refusal.conflict(entry: id, basedOn: basedOn, current: latest.version) }
            guard let target = try self.version(db, id: id, version: version) else { throw Refusal.unknownVersion(entry: id, version: version) }
            guard target.entry != latest.entry else { throw Refusal.unchanged(id) }
            return try append(db, id, target.entry, after: latest, author: author, at: now, prefix: "rollback to version \(version)")
        }
    }

    /// Grows with every change; starts at 0.
    public static func generation(_ db: any Connection) throws -> Int64 {
        try BotState.value(db, .faqGeneration) ?? 0
    }

    // MARK: - Private

    private static func append(
        _ db: any Connection, _ id: String, _ entry: FAQEntry?, after latest: Version, author: String, at now: Instant, prefix: String? = nil
    ) throws -> Version {
        let next = latest.version + 1
        let diff = FAQDiff.lines(from: latest.entry, to: entry)
        let note = ((prefix.map { [$0] } ?? []) + diff).joined(separator: "\n")
        try insertVersion(db, id, next, entry, author: author, at: now, note: note)
        try db.execute("UPDATE faq_entries SET version = ?, deleted = ? WHERE entry_id = ?", Int64(next), entry == nil ? 1 : 0, id)
        try BotState.increment(db, .faqGeneration, at: now)
        return Version(entryID: id, version: next, entry: entry, author: author, at: now.description, note: note)
    }

    private static func insertVersion(_ db: any Connection, _ id: String, _ version: Int, _ entry: FAQEntry?, author: String, at now: Instant, note: String) throws {
        try db.execute(
            "INSERT INTO faq_versions (entry_id, version, body, author, at, note) VALUES (?, ?, ?, ?, ?, ?)", id, Int64(version),
            entry.map { FAQFileFormat.encode($0) }, author, now.description, note)
    }

    struct CorruptBody: Error, CustomStringConvertible {
        let description: String
    }

    static func decodeBody(_ body: String) throws -> FAQEntry {
        let value: JSONValue
        do { value = try JSONValue.parse(body) } catch { throw CorruptBody(description: "stored FAQ version is not JSON: \(error)") }
        switch FAQFileFormat.decodeEntry(value, position: "stored") {
        case .success(let entry): return entry
        case .failure(let problems): throw CorruptBody(description: "stored FAQ version: " + problems.problems.map(\.description).joined(separator: "; "))
        }
    }
}
