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
    /// Which carrier (or which of the chat's lines) a question is about, to answer it then.
    case pickCarrier(question: String)
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
    /// The carrier the conversation was about (named, pointed at, answered or chosen), and when.
    var carrier: String?
    var carrierAt: Instant?
    /// The album whose first message was answered last (its other pictures get no reply).
    var mediaGroup: String?
    /// The customer's last question, and whether its answer left it open (out of scope, or
    /// a clarifying question): an edit of that question is answered again.
    var lastQuestionID: Int64?
    var lastQuestionOpen = false

    /// The carrier of the last `seconds`, if any.
    func recentCarrier(at now: Instant, within seconds: Int64) -> String? {
        guard let carrier, let at = carrierAt, now < at.adding(seconds: seconds) else { return nil }
        return carrier
    }

    /// The pending flow, if it has not expired at `now`.
    func activeFlow(at now: Instant) -> Flow? {
        guard let flow, let expires = flowExpiresAt, now < expires else { return nil }
        return flow
    }

    static func load(_ db: any Connection, chat: Int64) throws -> Conversation {
        try db.queryFirst(
            """
            SELECT language, language_fixed, flow, flow_id, flow_expires_at, last_label, last_entry, carrier, carrier_at, media_group, last_question_id, last_question_open
            FROM conversations WHERE chat_id = ?
            """,
            chat
        ) { row in
            Conversation(
                chatID: chat, language: row.optionalString(0).flatMap(Language.init(rawValue:)), languageFixed: row.bool(1),
                flow: row.optionalString(2).flatMap { try? JSONDecoder().decode(Flow.self, from: Data($0.utf8)) }, flowID: row.optionalString(3),
                flowExpiresAt: row.optionalString(4).flatMap(Instant.init(iso:)), lastLabel: row.optionalString(5), lastEntry: row.optionalString(6),
                carrier: row.optionalString(7), carrierAt: row.optionalString(8).flatMap(Instant.init(iso:)), mediaGroup: row.optionalString(9),
                lastQuestionID: row.optionalInt64(10), lastQuestionOpen: row.bool(11))
        } ?? Conversation(chatID: chat)
    }

    func save(_ db: any Connection, at now: Instant) throws {
        let flowJSON = try flow.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(
            """
            INSERT INTO conversations (chat_id, language, language_fixed, flow, flow_id, flow_expires_at, last_label, last_entry, carrier, carrier_at, media_group,
                last_question_id, last_question_open, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, language_fixed = excluded.language_fixed, flow = excluded.flow,
                flow_id = excluded.flow_id, flow_expires_at = excluded.flow_expires_at, last_label = excluded.last_label,
                last_entry = excluded.last_entry, carrier = excluded.carrier, carrier_at = excluded.carrier_at, media_group = excluded.media_group,
                last_question_id = excluded.last_question_id, last_question_open = excluded.last_question_open, updated_at = excluded.updated_at
            """,
            chatID, language?.rawValue, languageFixed, flowJSON, flowID, flowExpiresAt?.description, lastLabel, lastEntry, carrier, carrierAt?.description, mediaGroup, lastQuestionID, lastQuestionOpen,
            now.description)
    }
}
