import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// The shipped understanding data, replies and catalogue, loaded once.
enum ShippedAssistantData {
    static let understanding: UnderstandingDataLoader.Loaded = {
        do { return try UnderstandingDataLoader.load(directory: repositoryRoot + "/Intents", carriersFile: repositoryRoot + "/Config/carriers.json") } catch {
            fatalError("shipped understanding data does not load: \(error)")
        }
    }()
    static let replies: ReplyBook = {
        do { return try ReplyBook.load(path: repositoryRoot + "/Intents/replies.json") } catch { fatalError("replies do not load: \(error)") }
    }()
    static let catalogue: CarrierCatalogue = {
        do { return try CarrierCatalogueLoader.load(path: repositoryRoot + "/Config/carriers.json") } catch { fatalError("catalogue does not load: \(error)") }
    }()
    static let classifier = Classifier(data: understanding.data)

    static func knowledge(policy: DecisionPolicy? = nil, faqGeneration: Int64 = 0) -> AssistantKnowledge {
        AssistantKnowledge(
            classifier: policy.map { Classifier(data: understanding.data, policy: $0) } ?? classifier, faq: understanding.faqEntries, replies: replies,
            traditionalToSimplified: understanding.data.traditionalToSimplified, faqGeneration: faqGeneration)
    }
}

/// A conversation with the assistant on a fresh database, at 2026-11-22 noon UTC.
final class Dialogue: @unchecked Sendable {
    // @unchecked Sendable: used by one test at a time; the fields are only read and written in order.
    let database: Database
    let assistant: Assistant
    let service: SQLiteLineService
    let clock: ManualWallClock
    var buttons: [Int64: [OutboundButton]] = [:]
    var lastBotMessage: [Int64: Int64] = [:]
    var nextMessageID: Int64 = 100

    static let operatorUser: Int64 = 9
    static let operatorChat: Int64 = -500

    /// `regressionSetFile`: the gate's file, the shipped one unless a test says otherwise.
    init(policy: DecisionPolicy? = nil, regressionSetFile: String = repositoryRoot + "/Intents/regression.jsonl", paymentMode: PaymentSettings.Mode = .off) async throws {
        clock = ManualWallClock("2026-11-22")
        database = try await Database.open(path: temporaryDatabase("assistant"), migrations: BaohaoSchema.migrations)
        service = SQLiteLineService(database: database, catalogue: ShippedAssistantData.catalogue, clock: clock)
        var settings = AssistantSettings(configuration: BotConfiguration())
        settings.operators = [Self.operatorUser]
        settings.operatorChatID = Self.operatorChat
        settings.paymentLinkTemplate = "https://pay.example.com/o/{ref}"
        settings.regressionSetFile = regressionSetFile
        settings.paymentMode = paymentMode
        // The FAQ lives in the database, as in the bot: the shipped entries are its first versions.
        let now = clock.now()
        let generation = try await database.write { db in
            try FAQStore.seedIfEmpty(db, entries: ShippedAssistantData.understanding.faqEntries, author: "file", at: now)
            return try FAQStore.generation(db)
        }
        assistant = Assistant(
            knowledge: ShippedAssistantData.knowledge(policy: policy, faqGeneration: generation), catalogue: ShippedAssistantData.catalogue, settings: settings,
            clock: clock)
    }

    /// Imports a line and binds it to `chat` through a real code.
    func line(_ number: String, carrier: String, plan: String, balance: String, expires: String, boundTo chat: Int64?) async throws {
        let carrierInfo = ShippedAssistantData.catalogue.carrier(carrier)!
        let row = LineImportRow(
            line: 2, number: PhoneNumber(e164: number)!, carrier: carrier, plan: plan,
            balance: try Money.parse(decimal: balance, currency: carrierInfo.currency), expiresOn: CivilDate(iso: expires)!, autoRenew: false, note: "")
        _ = try await service.importLines([row], by: .operator("test"))
        if let chat {
            let code = try await service.issueBindingCode(for: PhoneNumber(e164: number)!, by: .operator("test")).code
            _ = try await service.redeemBindingCode(code, chat: chat)
        }
    }

    func send(_ inbound: Inbound) async throws -> [Outbound] {
        let assistant = self.assistant
        let (outputs, stale) = try await database.write { db in (try db.transaction { try assistant.handle(inbound, in: db) }, try assistant.staleFAQ(db)) }
        // As the bot does after each batch: an FAQ change answers the very next message.
        if let stale { assistant.install(stale) }
        for output in outputs {
            switch output {
            case .send(let m), .edit(_, let m):
                // Every button the assistant makes is one it routes: it parses back to itself.
                for button in m.buttons.joined() {
                    #expect(ButtonPayload(encoded: button.payload)?.encoded == button.payload, "unroutable payload \(button.payload)")
                }
                if !m.buttons.isEmpty { buttons[m.chatID] = m.buttons.flatMap { $0 } }
                lastBotMessage[m.chatID] = nextMessageID
                nextMessageID += 1
            case .answerButton, .copy, .topic, .invoice, .refundStars: break
            }
        }
        return outputs
    }

    @discardableResult
    func say(_ text: String, chat: Int64 = 42, user: Int64? = nil, hint: String? = nil) async throws -> Exchange {
        let id = nextMessageID
        nextMessageID += 1
        let outputs = try await send(Inbound(chatID: chat, userID: user ?? chat, languageHint: hint, messageID: id, kind: .text(text)))
        return Exchange(chat: chat, outputs: outputs)
    }

    /// Presses a button with this payload (as if on the chat's last bot message).
    @discardableResult
    func press(payload: String, chat: Int64 = 42, user: Int64? = nil) async throws -> Exchange {
        let outputs = try await send(
            Inbound(chatID: chat, userID: user ?? chat, messageID: lastBotMessage[chat] ?? 0, kind: .button(payload: payload, callbackID: "cb\(nextMessageID)")))
        return Exchange(chat: chat, outputs: outputs)
    }

    /// Presses the button of the chat's last buttons whose label contains `label` (or the `index`-th).
    @discardableResult
    func press(_ label: String? = nil, index: Int? = nil, chat: Int64 = 42, user: Int64? = nil) async throws -> Exchange {
        let available = buttons[chat] ?? []
        let button: OutboundButton
        if let label, let found = available.first(where: { $0.label.contains(label) }) { button = found } else if let index, index < available.count {
            button = available[index]
        } else {
            Issue.record("no button \(label ?? "") #\(index ?? -1) among \(available.map(\.label))")
            return Exchange(chat: chat, outputs: [])
        }
        let outputs = try await send(
            Inbound(chatID: chat, userID: user ?? chat, messageID: lastBotMessage[chat] ?? 0, kind: .button(payload: button.payload, callbackID: "cb\(nextMessageID)")))
        return Exchange(chat: chat, outputs: outputs)
    }
}

/// What one inbound event produced.
struct Exchange {
    let chat: Int64
    let outputs: [Outbound]

    /// Messages (sent or edited) for the chat that spoke.
    var replies: [OutboundMessage] {
        outputs.compactMap { output in
            switch output {
            case .send(let m) where m.chatID == chat: m
            case .edit(_, let m) where m.chatID == chat: m
            default: nil
            }
        }
    }

    /// The reply as the customer reads it.
    var text: String { replies.map { HTML.plainText($0.html) }.joined(separator: "\n") }
    var html: String { replies.map(\.html).joined(separator: "\n") }
    var buttons: [OutboundButton] { replies.flatMap { $0.buttons.flatMap { $0 } } }

    func notices(to chat: Int64) -> [OutboundMessage] {
        outputs.compactMap { if case .send(let m) = $0, m.chatID == chat, m.chatID != self.chat { m } else { nil } }
    }
}
