import BaohaoSupport
import Storage
import Testing
import Understanding
@testable import BaohaoCore

/// Retrieval decides what is asked; the chat decides whose answer (pure rules).
@Suite struct AnswerChooserTests {
    static func entry(_ id: String, _ topic: String = "refund", carriers: [String] = [], regions: [String] = []) -> FAQEntry {
        FAQEntry(id: id, topic: topic, regions: regions, carriers: carriers, question: [.en: id], phrasings: [], answer: [.en: id])
    }
    static let faq = [
        entry("refund-general"), entry("giffgaff-refund", carriers: ["giffgaff"], regions: ["UK"]), entry("ultra-refund", carriers: ["ultra"], regions: ["US"]),
        entry("hk-refund", regions: ["HK"]), entry("tello-only", "port_out", carriers: ["tello"], regions: ["US"]), entry("hk-port", "port_out", regions: ["HK"]),
    ]
    static let chooser = AnswerChooser(faq: faq, faqByID: Dictionary(uniqueKeysWithValues: faq.map { ($0.id, $0) }))
    static func byID(_ id: String) -> FAQEntry { faq.first { $0.id == id }! }
    static func line(_ e164: String, _ carrier: String) -> LineView {
        LineView(
            number: PhoneNumber(e164: e164)!, carrier: carrier, plan: "p", balanceMinor: 0, currency: "USD", expiresOn: CivilDate(iso: "2027-01-01")!,
            autoRenew: false, status: .active, request: nil, daysLeft: 30, note: "")
    }
    static let ultraLine = line("+13105550117", "ultra"), giffgaffLine = line("+447700900123", "giffgaff")

    func chosenID(_ choice: AnswerChooser.Choice) -> String? { if case .answer(let a, _) = choice { a.id } else { nil } }

    @Test func anotherCarriersAnswerBecomesTheChatsOwnOrTheGenericOne() {
        let bound = CarrierContext(carriers: ["ultra"], regions: ["US"], source: .bound, lines: [Self.ultraLine])
        let ranking = [RankedEntry(id: "giffgaff-refund", score: 0.7), RankedEntry(id: "refund-general", score: 0.5), RankedEntry(id: "ultra-refund", score: 0.45)]
        #expect(chosenID(Self.chooser.choose(Self.byID("giffgaff-refund"), ranking: ranking, context: bound)) == "ultra-refund")
        let noUltra = [RankedEntry(id: "giffgaff-refund", score: 0.7), RankedEntry(id: "refund-general", score: 0.5)]
        let chooserWithoutUltra = AnswerChooser(faq: Self.faq.filter { $0.id != "ultra-refund" }, faqByID: Self.chooser.faqByID.filter { $0.key != "ultra-refund" })
        #expect(chosenID(chooserWithoutUltra.choose(Self.byID("giffgaff-refund"), ranking: noUltra, context: bound)) == "refund-general")
    }

    @Test func aNamedCarrierGetsItsOwnAnswerWhateverIsBound() {
        let named = CarrierContext(carriers: ["giffgaff"], regions: ["UK"], source: .named, lines: [])
        let ranking = [RankedEntry(id: "giffgaff-refund", score: 0.7), RankedEntry(id: "refund-general", score: 0.6)]
        #expect(chosenID(Self.chooser.choose(Self.byID("giffgaff-refund"), ranking: ranking, context: named)) == "giffgaff-refund")
    }

    @Test func withNothingKnownTheGenericAnswerOrAQuestion() {
        let close = [RankedEntry(id: "giffgaff-refund", score: 0.6), RankedEntry(id: "refund-general", score: 0.5)]
        #expect(chosenID(Self.chooser.choose(Self.byID("giffgaff-refund"), ranking: close, context: .unknown)) == "refund-general")
        let far = [RankedEntry(id: "giffgaff-refund", score: 0.9), RankedEntry(id: "refund-general", score: 0.3)]
        guard case .askCarrier = Self.chooser.choose(Self.byID("giffgaff-refund"), ranking: far, context: .unknown) else {
            Issue.record("a poor generic answer should make the bot ask which carrier")
            return
        }
        // A topic with only carrier or region answers: ask.
        guard case .askCarrier = Self.chooser.choose(Self.byID("tello-only"), ranking: [RankedEntry(id: "tello-only", score: 0.8)], context: .unknown) else {
            Issue.record("no generic port-out answer: the bot must ask")
            return
        }
    }

    @Test func twoLinesWhoseAnswersDifferAskWhichLine() {
        let both = CarrierContext(carriers: ["ultra", "giffgaff"], regions: ["US", "UK"], source: .bound, lines: [Self.ultraLine, Self.giffgaffLine])
        let specific = [RankedEntry(id: "ultra-refund", score: 0.8), RankedEntry(id: "refund-general", score: 0.4)]
        guard case .askLine(let lines, _) = Self.chooser.choose(Self.byID("ultra-refund"), ranking: specific, context: both) else {
            Issue.record("an Ultra-only answer for a chat with an Ultra and a giffgaff line must ask which line")
            return
        }
        #expect(lines.map(\.carrier) == ["ultra", "giffgaff"])
        // The generic answer is the best: it is the same for both lines.
        let generic = [RankedEntry(id: "refund-general", score: 0.8), RankedEntry(id: "ultra-refund", score: 0.75)]
        #expect(chosenID(Self.chooser.choose(Self.byID("refund-general"), ranking: generic, context: both)) == "refund-general")
    }

    @Test func aRegionAllowsItsRegionsAnswersButNoCarriers() {
        let hk = CarrierContext(carriers: [], regions: ["HK"], source: .region, lines: [])
        let ranking = [RankedEntry(id: "tello-only", score: 0.8), RankedEntry(id: "hk-port", score: 0.5)]
        #expect(chosenID(Self.chooser.choose(Self.byID("tello-only"), ranking: ranking, context: hk)) == "hk-port")
    }

    @Test func theContextComesFromTheMessageThenTheLineThenTheLastMinutesThenTheLines() {
        let catalogue = ShippedAssistantData.catalogue
        let bound = [Self.ultraLine, Self.giffgaffLine]
        let named = MessageContext(decision: ShippedAssistantData.classifier.classify("giffgaff 可以退款吗"))
        #expect(CarrierContext(message: named, bound: bound, recentCarrier: "ultra", catalogue: catalogue).carriers == ["giffgaff"])
        let region = MessageContext(decision: ShippedAssistantData.classifier.classify("英国卡可以退款吗"))
        let pointed = CarrierContext(message: region, bound: bound, recentCarrier: nil, catalogue: catalogue)
        #expect(pointed.source == .line && pointed.carriers == ["giffgaff"])
        let plain = MessageContext(decision: ShippedAssistantData.classifier.classify("可以退款吗"))
        #expect(CarrierContext(message: plain, bound: bound, recentCarrier: "ultra", catalogue: catalogue).source == .recent)
        #expect(CarrierContext(message: plain, bound: bound, recentCarrier: nil, catalogue: catalogue).carriers == ["ultra", "giffgaff"])
        #expect(CarrierContext(message: plain, bound: [], recentCarrier: nil, catalogue: catalogue).source == .unknown)
    }
}

/// The same rules through the assistant, on the shipped FAQ: the answer a chat gets.
@Suite struct WhoseAnswerDialogueTests {
    /// The answer the chat got last: an entry's own or one of its variants.
    func lastEntry(_ d: Dialogue, chat: Int64 = 42) async throws -> FAQAnswer? {
        let id = try await d.database.read { db in try Conversation.load(db, chat: chat).lastEntry }
        return id.flatMap { id in ShippedAssistantData.understanding.faqEntries.lazy.compactMap { $0.answer(id: id) }.first }
    }

    @Test(arguments: ["付款失败了怎么办", "注销后余额能退吗", "怎么转出号码", "可以用支付宝吗"])
    func theDemosQuestionsGetUltrasAnswerOrTheGenericOne(_ question: String) async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        let reply = try await d.say(question)
        let entry = try #require(try await lastEntry(d), "\(question) got no FAQ answer: \(reply.text)")
        // Generic, or about Ultra (alone or among the carriers it compares).
        #expect(entry.carriers.isEmpty || entry.carriers.contains("ultra"), "\(question) → \(entry.id)")
        #expect(entry.regions.isEmpty || entry.regions.contains("US"), "\(question) → \(entry.id)")
    }

    /// What the customer reads: the answer for an Ultra line keeps Ultra's bullet and leaves
    /// out the other US carriers'; the same question in a chat with no line gets them all.
    @Test func aBoundLineReadsItsOwnCarriersBulletsOnly() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        let bound = try await d.say("怎么转出号码")
        #expect(bound.text.contains("Ultra"), "\(bound.text)")
        for other in ["Tello", "T-Mobile", "Mint", "US Mobile", "giffgaff"] { #expect(!bound.text.contains(other), "\(other) in: \(bound.text)") }
        let alipay = try await d.say("可以用支付宝吗")
        #expect(!alipay.text.contains("ValueGB"), "\(alipay.text)")
        #expect(alipay.text.contains("Ultra"))
        let open = try await d.say("how do I port my US number out", chat: 77)
        let named = ["Tello", "T-Mobile", "Mint"].filter { open.text.contains($0) }
        #expect(named.count >= 2, "a chat with no line reads the whole list: \(open.text)")
    }

    @Test func anUnboundChatGetsTheGenericRefundAnswerOrIsAskedWhichCarrier() async throws {
        let d = try await Dialogue()
        let reply = try await d.say("退款要幾耐")
        // No carrier's answer, and no carrier's question on a button either: a generic refund
        // answer, the question which carrier, or (when the topic is unclear) topics to pick.
        if let entry = try await lastEntry(d) {
            #expect(entry.entry.topic == "refund" && entry.carriers.isEmpty && entry.regions.isEmpty, "→ \(entry.id)")
        }
        let carrierNames = ShippedAssistantData.catalogue.carriers.flatMap { [$0.names.text(for: "zh-Hant"), $0.names.text(for: "en")] }
        for button in reply.buttons { #expect(!carrierNames.contains { button.label.contains($0) }, "a carrier's question offered: \(button.label)") }
        // Whatever is pressed leads to a generic refund answer or to the question which carrier.
        if reply.buttons.contains(where: { ButtonPayload(encoded: $0.payload).map { if case .clarify = $0 { true } else { false } } ?? false }) {
            _ = try await d.press(index: 0)
            if let entry = try await lastEntry(d) { #expect(entry.carriers.isEmpty, "→ \(entry.id)") }
        }
    }

    @Test func askedWhichCarrierTheCustomerChoosesAndGetsThatCarriersAnswerAndItIsRemembered() async throws {
        let d = try await Dialogue()
        // No generic port-out answer fits a question about the PIN: the bot asks.
        let asked = try await d.say("怎么拿转出 PIN 码")
        guard asked.buttons.contains(where: { ButtonPayload(encoded: $0.payload).map { if case .carrierRegion = $0 { true } else { false } } ?? false }) else {
            // The shipped FAQ may answer it generically; then it must not be a carrier's answer.
            let entry = try await lastEntry(d)
            #expect(entry?.carriers.isEmpty ?? true)
            return
        }
        let regions = try await d.press(index: 0)
        #expect(regions.buttons.count >= 2)
        let tmobile = try #require(regions.buttons.first { ButtonPayload(encoded: $0.payload) .map { if case .carrier(_, "tmobile") = $0 { true } else { false } } ?? false })
        let answer = try await d.press(payload: tmobile.payload)
        #expect(!answer.text.isEmpty)
        let entry = try #require(try await lastEntry(d))
        #expect(entry.carriers.isEmpty || entry.carriers.contains("tmobile"), "→ \(entry.id)")
        let remembered = try await d.database.read { db in try Conversation.load(db, chat: 42).carrier }
        #expect(remembered == "tmobile")
    }
}

/// Tailoring an answer's bullets to the chat's carriers (pure).
@Suite struct AnswerTailoringTests {
    let tailoring = AnswerTailoring { line in
        Set(["ultra", "tello", "giffgaff"].filter { line.lowercased().contains($0) })
    }
    let answer = "US port-out\nYou need the account number and PIN.\n• Ultra: call 611.\n• Tello: 4-digit PIN.\n  - Tello or giffgaff: slow\n• Ultra, Tello: same day\n• Any carrier: keep the line active.\n1. Tello step"

    @Test func bulletsAboutOnlyOtherCarriersAreLeftOut() {
        #expect(tailoring.tailor(answer, to: ["ultra"]) == "US port-out\nYou need the account number and PIN.\n• Ultra: call 611.\n• Ultra, Tello: same day\n• Any carrier: keep the line active.\n1. Tello step")
        #expect(tailoring.tailor(answer, to: ["tello"]) == "US port-out\nYou need the account number and PIN.\n• Tello: 4-digit PIN.\n  - Tello or giffgaff: slow\n• Ultra, Tello: same day\n• Any carrier: keep the line active.\n1. Tello step")
        #expect(tailoring.tailor(answer, to: []) == answer, "an unknown chat reads everything")
        #expect(tailoring.tailor("no bullets, Tello", to: ["ultra"]) == "no bullets, Tello")
    }
}
