import FoundationEssentials
import Storage
import Understanding
import BaohaoSupport

/// Why the assistant asked "which number?".
public enum LinePurpose: String, Sendable, Codable {
    case balance, renew, cancel
}

/// A question the assistant is waiting for an answer to.
public enum Flow: Sendable, Equatable, Codable {
    case pickLine(LinePurpose)
    case confirmCancel(number: String)
    /// An operator's FAQ draft waits for its next field.
    case faqDraft
}

/// What the assistant remembers of a chat.
struct Conversation {
    let chatID: Int64
    var language: Language?
    /// Set by /lang: detection no longer changes it.
    var languageFixed = false
    var flow: Flow?
    /// Carried in the flow's buttons, so a press on an older question is recognised.
    var flowID: String?
    var flowExpiresAt: Instant?
    /// The label and FAQ entry of the last answer, for follow-ups ("what about HK?").
    var lastLabel: String?
    var lastEntry: String?

    /// The pending flow, if it has not expired at `now`.
    func activeFlow(at now: Instant) -> Flow? {
        guard let flow, let expires = flowExpiresAt, now < expires else { return nil }
        return flow
    }

    static func load(_ db: Connection, chat: Int64) throws -> Conversation {
        try db.queryFirst(
            "SELECT language, language_fixed, flow, flow_id, flow_expires_at, last_label, last_entry FROM conversations WHERE chat_id = ?", chat
        ) { row in
            Conversation(
                chatID: chat, language: row.optionalString(0).flatMap(Language.init(rawValue:)), languageFixed: row.bool(1),
                flow: row.optionalString(2).flatMap { try? JSONDecoder().decode(Flow.self, from: Data($0.utf8)) }, flowID: row.optionalString(3),
                flowExpiresAt: row.optionalString(4).flatMap(Instant.init(iso:)), lastLabel: row.optionalString(5), lastEntry: row.optionalString(6))
        } ?? Conversation(chatID: chat)
    }

    func save(_ db: Connection, at now: Instant) throws {
        let flowJSON = try flow.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(
            """
            INSERT INTO conversations (chat_id, language, language_fixed, flow, flow_id, flow_expires_at, last_label, last_entry, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, language_fixed = excluded.language_fixed, flow = excluded.flow,
                flow_id = excluded.flow_id, flow_expires_at = excluded.flow_expires_at, last_label = excluded.last_label,
                last_entry = excluded.last_entry, updated_at = excluded.updated_at
            """,
            chatID, language?.rawValue, languageFixed, flowJSON, flowID, flowExpiresAt?.description, lastLabel, lastEntry, now.description)
    }
}
