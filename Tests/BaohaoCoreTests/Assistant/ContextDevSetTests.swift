import BaohaoSupport
import Testing
import TestSupport
import Understanding
@testable import BaohaoCore

/// The development context set (`Tests/Fixtures/context-devset.jsonl`, 356 cases written by a
/// helper from the catalogue and the FAQ: one line of each carrier, none, two lines, a named
/// carrier other than the bound one, follow-ups, a region only) through the assistant with
/// real bindings. Gate: no answer speaks of a carrier the chat neither has nor named.
@Suite struct ContextDevSetTests {
    static func settings() -> AssistantSettings {
        var settings = AssistantSettings(configuration: BotConfiguration())
        settings.regressionSetFile = nil
        return settings
    }

    @Test func noAnswerSpeaksOfACarrierTheChatNeitherHasNorNamed() async throws {
        let cases = try ContextEvaluation.load(path: repositoryRoot + "/Tests/Fixtures/context-devset.jsonl", catalogue: ShippedAssistantData.catalogue)
        #expect(cases.count >= 300)
        let report = try await ContextEvaluation.run(
            cases, knowledge: ShippedAssistantData.knowledge(), catalogue: ShippedAssistantData.catalogue, settings: Self.settings(),
            now: Instant(iso: "2026-11-22T12:00:00.000Z")!)
        // The figures, for the record.
        print("context development set: \(report.count) cases, label accuracy \(report.labelAccuracy), wrong carrier \(report.wrongCarrier), asked \(report.asked), accepted \(report.accepted) of \(report.withAccept)")
        #expect(report.count == cases.count)
        #expect(report.wrongCarrier == 0, "\(report.wrongCases.joined(separator: "\n"))")
        #expect(Set(report.perKind.keys) == ["bound-one", "unbound", "two-lines", "named-other", "named-same", "follow-up", "region-only"])
    }

    @Test func aBadLineIsAnErrorNamingTheLine() throws {
        let path = writeTemporaryFile(#"{"text": "hi", "bound": [], "intent": "greeting"}"# + "\n" + #"{"text": "x", "bound": ["nokia"], "intent": "renew"}"#)
        #expect(throws: ContextEvaluation.LoadError.self) { try ContextEvaluation.load(path: path, catalogue: ShippedAssistantData.catalogue) }
        do { _ = try ContextEvaluation.load(path: path, catalogue: ShippedAssistantData.catalogue) } catch {
            #expect(error.description.hasSuffix("line 2: \"bound\" holds an unknown carrier"))
        }
    }

    @Test func anAnswerAboutAnotherCarrierIsCountedWrong() async throws {
        // A named carrier makes giffgaff's answer right; the same answer for an Ultra chat
        // that names nobody would be wrong: the chooser prevents it, and the count shows both.
        let cases = [
            ContextEvaluation.Case(text: "giffgaff 可以退款吗", bound: ["ultra"], previous: nil, intent: "refund", accept: ["giffgaff-14-day-refund"], askIsFine: false, kind: "named-other"),
            ContextEvaluation.Case(text: "可以退款吗", bound: ["ultra"], previous: nil, intent: "refund", accept: nil, askIsFine: false, kind: "bound-one"),
        ]
        let report = try await ContextEvaluation.run(
            cases, knowledge: ShippedAssistantData.knowledge(), catalogue: ShippedAssistantData.catalogue, settings: Self.settings(),
            now: Instant(iso: "2026-11-22T12:00:00.000Z")!)
        #expect(report.wrongCarrier == 0 && report.accepted == 1 && report.withAccept == 1)
        #expect(report.labelCorrect == 2)
    }
}
