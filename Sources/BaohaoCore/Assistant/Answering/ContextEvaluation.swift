public import BaohaoSupport
import FoundationEssentials
import Storage
public import Understanding

/// Measures answers in context, not only labels: each case is a chat with its bound
/// carriers (none, one or two), maybe a previous message, and a question; it runs through
/// the assistant on a fresh in-memory database with real bindings. A wrong-carrier answer is
/// an FAQ answer about a carrier (or a region) the chat neither has nor named.
public enum ContextEvaluation {
    /// One line of a context set.
    public struct Case: Sendable, Equatable {
        public let text: String
        /// Carrier ids of the lines bound to the chat.
        public let bound: [String]
        /// A message the chat sent just before (a follow-up's antecedent).
        public let previous: String?
        /// The label that should answer.
        public let intent: String
        /// FAQ entry ids that are right answers (nil: any the rules allow).
        public let accept: [String]?
        /// Asking which carrier or line is the expected reply (informational: the report counts asks).
        public let askIsFine: Bool
        public let kind: String
    }

    /// Why a context set cannot be used, naming the line.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public struct Report: Sendable {
        public var count = 0
        /// What was understood (the topic or intent answered or asked about; a clarifying
        /// question's top label; out of scope when nothing was answered) is the case's label.
        public var labelCorrect = 0
        public var wrongCarrier = 0
        public var asked = 0
        /// Cases with an accept list that got an FAQ answer, and those whose entry is in it.
        public var withAccept = 0
        public var accepted = 0
        /// `kind → (cases, wrong carrier, asked)`.
        public var perKind: [String: (count: Int, wrong: Int, asked: Int)] = [:]
        /// The wrong-carrier cases, readable.
        public var wrongCases: [String] = []

        public var wrongCarrierRate: Double { count == 0 ? 0 : Double(wrongCarrier) / Double(count) }
        public var askRate: Double { count == 0 ? 0 : Double(asked) / Double(count) }
        public var labelAccuracy: Double { count == 0 ? 0 : Double(labelCorrect) / Double(count) }
    }

    /// Reads `{"text", "bound", "intent", "previous"?, "accept"?, "ask"?, "kind"?}` per line.
    public static func load(path: String, catalogue: CarrierCatalogue) throws(LoadError) -> [Case] {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(description: "\(path): cannot read the file") }
        var cases: [Case] = []
        for (number, line) in Array(data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            let at = "\(path): line \(number + 1)"
            guard case .object(let o)? = try? JSONValue.parse(Array(line)) else { throw LoadError(description: "\(at): not a JSON object") }
            guard case .string(let text)? = o["text"], !text.isEmpty else { throw LoadError(description: "\(at): \"text\" must be a non-empty string") }
            guard case .string(let intent)? = o["intent"], Labels.evaluationLabels.contains(intent) || Labels.faqEntryTopics.contains(intent) else {
                throw LoadError(description: "\(at): \"intent\" must be one of the labels")
            }
            guard case .array(let boundValues)? = o["bound"] else { throw LoadError(description: "\(at): \"bound\" must be a list of carrier ids") }
            var bound: [String] = []
            for value in boundValues {
                guard case .string(let id) = value, catalogue.carrier(id) != nil else { throw LoadError(description: "\(at): \"bound\" holds an unknown carrier") }
                bound.append(id)
            }
            var accept: [String]?
            if case .array(let values)? = o["accept"] { accept = values.compactMap { if case .string(let s) = $0 { s } else { nil } } }
            let previous: String? = if case .string(let p)? = o["previous"], !p.isEmpty { p } else { nil }
            let ask: Bool = if case .bool(let b)? = o["ask"] { b } else { false }
            let kind: String = if case .string(let k)? = o["kind"] { k } else { "case" }
            cases.append(Case(text: text, bound: bound, previous: previous, intent: intent, accept: accept, askIsFine: ask, kind: kind))
        }
        return cases
    }

    /// Runs every case through `knowledge` and the catalogue's rules, at `now`.
    public static func run(_ cases: [Case], knowledge: AssistantKnowledge, catalogue: CarrierCatalogue, settings: AssistantSettings, now: Instant) async throws -> Report {
        let clock = FixedClock(now)
        let assistant = Assistant(knowledge: knowledge, catalogue: catalogue, settings: settings, clock: clock)
        var report = Report()
        for c in cases {
            let database = try await Database.open(path: ":memory:", migrations: BaohaoSchema.migrations)
            let service = SQLiteLineService(database: database, catalogue: catalogue, clock: clock)
            for (i, carrierID) in c.bound.enumerated() {
                guard let row = sampleLine(carrierID, index: i, catalogue: catalogue, today: now) else { continue }
                _ = try await service.importLines([row], by: .operator("eval"))
                let code = try await service.issueBindingCode(for: row.number, by: .operator("eval")).code
                _ = try await service.redeemBindingCode(code, chat: 1)
            }
            var named = Set<String>(), namedRegions = Set<String>()
            var messageID: Int64 = 10
            for text in [c.previous, c.text].compactMap({ $0 }) {
                let message = MessageContext(decision: knowledge.classifier.classify(text))
                named.formUnion(message.carriers)
                namedRegions.formUnion(message.regions)
                let inbound = Inbound(chatID: 1, userID: 1, messageID: messageID, kind: .text(text))
                _ = try await database.write { db in try db.transaction { try assistant.handle(inbound, in: db) } }
                messageID += 1
            }
            let conversation = try await database.read { db in try Conversation.load(db, chat: 1) }
            report.count += 1
            var kind = report.perKind[c.kind] ?? (0, 0, 0)
            kind.count += 1
            defer { report.perKind[c.kind] = kind }
            // What was understood: a clarifying question counts as its top label (as in the
            // label-only evaluation), an answer as the topic or intent answered, none as out of scope.
            let decision = knowledge.classifier.classify(c.text)
            let understood = decision.isClarify ? decision.label : (conversation.lastLabel ?? Labels.outOfScope)
            if understood == c.intent { report.labelCorrect += 1 }
            if case .pickCarrier? = conversation.activeFlow(at: now) {
                // Understood, and the bot asks whose answer is wanted.
                report.asked += 1
                kind.asked += 1
                continue
            }
            guard let id = conversation.lastEntry, let answer = knowledge.faqAnswer(id) else { continue }
            let carriers = Set(c.bound).union(named)
            let regions = Set(carriers.compactMap { catalogue.carrier($0)?.region }).union(namedRegions)
            let wrong =
                answer.carriers.isEmpty ? !answer.regions.isEmpty && answer.regions.allSatisfy { !regions.contains($0) } : answer.carriers.allSatisfy { !carriers.contains($0) }
            if wrong {
                report.wrongCarrier += 1
                kind.wrong += 1
                report.wrongCases.append("\(c.text) [bound: \(c.bound.joined(separator: ","))] → \(answer.id)")
            }
            if let accept = c.accept {
                report.withAccept += 1
                if accept.contains(answer.id) { report.accepted += 1 }
            }
        }
        return report
    }

    /// A valid line of `carrierID` (its first plan, valid for a year), numbered by `index`.
    static func sampleLine(_ carrierID: String, index: Int, catalogue: CarrierCatalogue, today: Instant) -> LineImportRow? {
        guard let carrier = catalogue.carrier(carrierID), let plan = carrier.plans.first else { return nil }
        let suffix = String(100 + index)
        let e164: String
        switch carrier.region {
        case "HK": e164 = "+8525550" + String(1000 + index)
        case "UK": e164 = "+447700900" + suffix
        default: e164 = "+1212555" + String(1000 + index)
        }
        guard let number = PhoneNumber(e164: e164), let date = today.date(inTimeZone: carrier.timeZone) else { return nil }
        return LineImportRow(
            line: index + 2, number: number, carrier: carrierID, plan: plan.id, balance: Money(minorUnits: 1000, currency: carrier.currency),
            expiresOn: date.adding(days: 365), autoRenew: false, note: "")
    }

    /// A clock that stands still: a case's time never depends on when it runs.
    struct FixedClock: WallClock {
        let instant: Instant
        init(_ instant: Instant) { self.instant = instant }
        func now() -> Instant { instant }
    }
}
