import FoundationEssentials
import Storage
public import Understanding
import BaohaoSupport

/// An operator's FAQ change in progress (the guided `/faq add`, or `/faq edit ID FIELD`),
/// kept per chat until it is saved, cancelled or an hour passes.
struct FAQDraft: Codable, Equatable {
    enum Step: String, Codable {
        case question, phrasings, answerZhHans, answerZhHant, answerEn, topic, tags
        /// `/faq edit`: waiting for the field's new value.
        case value
        /// Shown; waiting for Save or Cancel.
        case preview
    }

    var step: Step
    /// The entry as the draft has it, in the faq.json form.
    var body: String
    /// For an edit: the version the operator started from (optimistic locking), and the field.
    var basedOn: Int?
    var field: String?
    /// The preview listed regressions; Save then needs "save anyway".
    var regressions = 0
    var expiresAt: String

    static let lifetimeSeconds: Int64 = 3_600

    /// The `field` of a `/faq variant` draft: its answers go to that variant.
    static func variantField(_ id: String) -> String { "variant:" + id }

    /// The variant a `/faq variant` draft answers for.
    var variantID: String? { field.flatMap { $0.hasPrefix("variant:") ? String($0.dropFirst("variant:".count)) : nil } }

    var entry: FAQEntry {
        get {
            if let value = try? JSONValue.parse(body), case .success(let entry) = FAQFileFormat.decodeEntry(value, position: "draft") {
                return entry
            }
            return FAQEntry(id: "", topic: "", question: [:], phrasings: [], answer: [:])
        }
        set { body = FAQFileFormat.encode(newValue) }
    }

    init(step: Step, entry: FAQEntry, basedOn: Int?, field: String?, at now: Instant) {
        self.step = step
        body = FAQFileFormat.encode(entry)
        self.basedOn = basedOn
        self.field = field
        expiresAt = now.adding(seconds: Self.lifetimeSeconds).description
    }

    static func load(_ db: any Connection, chat: Int64, at now: Instant) throws -> FAQDraft? {
        guard let json = try db.queryFirst("SELECT draft FROM faq_drafts WHERE chat_id = ?", chat, map: { $0.string(0) }),
            let draft = try? JSONDecoder().decode(FAQDraft.self, from: Data(json.utf8)),
            let expires = Instant(iso: draft.expiresAt), now < expires
        else { return nil }
        return draft
    }

    func save(_ db: any Connection, chat: Int64, at now: Instant) throws {
        var copy = self
        copy.expiresAt = now.adding(seconds: Self.lifetimeSeconds).description
        let json = String(decoding: try JSONEncoder().encode(copy), as: UTF8.self)
        try db.execute(
            "INSERT INTO faq_drafts (chat_id, draft, updated_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at",
            chat, json, now.description)
    }

    static func discard(_ db: any Connection, chat: Int64) throws {
        try db.execute("DELETE FROM faq_drafts WHERE chat_id = ?", chat)
    }
}

extension FAQEntry {
    /// A copy with some fields replaced.
    public func with(
        id: String? = nil, topic: String? = nil, regions: [String]? = nil, carriers: [String]? = nil, question: [Language: String]? = nil,
        phrasings: [String]? = nil, answer: [Language: String]? = nil, leftOut: Set<Language>? = nil, threshold: Double?? = nil,
        variants: [FAQVariant]? = nil
    ) -> FAQEntry {
        FAQEntry(
            id: id ?? self.id, topic: topic ?? self.topic, regions: regions ?? self.regions, carriers: carriers ?? self.carriers,
            question: question ?? self.question, phrasings: phrasings ?? self.phrasings, answer: answer ?? self.answer, leftOut: leftOut ?? self.leftOut,
            threshold: threshold ?? self.threshold, variants: variants ?? self.variants)
    }

    /// A copy answering in `language` with `text`, or leaving that language out on purpose (nil).
    public func answering(_ language: Language, _ text: String?) -> FAQEntry {
        var answer = self.answer, leftOut = self.leftOut
        answer[language] = text
        if text == nil { leftOut.insert(language) } else { leftOut.remove(language) }
        return with(answer: answer, leftOut: leftOut)
    }
}
