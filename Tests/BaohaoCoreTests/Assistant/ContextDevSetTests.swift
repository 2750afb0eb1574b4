import BaohaoSupport
import Foundation
import Storage
import Testing
import TestSupport
import Understanding
@testable import BaohaoCore

/// The development context set (`Tests/Fixtures/context-devset.jsonl`, 356 cases written by a
/// helper from the catalogue and the FAQ: one line of each carrier, none, two lines, a named
/// carrier other than the bound one, follow-ups, a region only) through the assistant with
/// real bindings. Gate: no answer speaks of a carrier the chat neither has nor named.
@Suite struct ContextDevSetTests {
    /// A line of each carrier (from the demo lines, with later expiry dates).
    static let lines: [String: (String, String, String, String)] = [
        "ultra": ("+12125550142", "paygo", "0.00", "2027-05-20"), "tello": ("+17185550163", "lowest", "0.00", "2027-11-28"),
        "tmobile": ("+12065550134", "prepaid", "0.00", "2027-10-20"), "usmobile": ("+15035550107", "keep-number", "0.00", "2027-11-01"),
        "mint": ("+13235550176", "prepaid", "0.00", "2027-04-30"), "cmhk": ("+85255500142", "prepaid", "86.40", "2027-03-10"),
        "csl": ("+85255500127", "rechargeable", "41.00", "2027-02-28"), "3hk": ("+85296600135", "prepaid", "158.00", "2027-07-15"),
        "smartone": ("+85266600175", "valuegb", "0.00", "2027-11-08"), "giffgaff": ("+447700900123", "payg", "7.80", "2027-03-01"),
    ]
    @Test func noAnswerSpeaksOfACarrierTheChatNeitherHasNorNamed() async throws {
        let text = try String(contentsOfFile: repositoryRoot + "/Tests/Fixtures/context-devset.jsonl", encoding: .utf8)
        var total = 0, wrong = 0, asked = 0, accepted = 0, withAccept = 0
        var wrongList: [String] = []
        for line in text.split(separator: "\n") {
            guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let t = obj["text"] as? String else { continue }
            let bound = obj["bound"] as? [String] ?? []
            let d = try await Dialogue()
            for c in bound { if let l = Self.lines[c] { try await d.line(l.0, carrier: c, plan: l.1, balance: l.2, expires: l.3, boundTo: 42) } }
            var named = Set<String>()
            if let prev = obj["previous"] as? String {
                _ = try await d.say(prev)
                named.formUnion(MessageContext(decision: ShippedAssistantData.classifier.classify(prev)).carriers)
            }
            let reply = try await d.say(t)
            named.formUnion(MessageContext(decision: ShippedAssistantData.classifier.classify(t)).carriers)
            total += 1
            let conv = try await d.database.read { db in try Conversation.load(db, chat: 42) }
            if case .pickCarrier? = conv.flow { asked += 1; continue }
            guard let id = conv.lastEntry, let e = ShippedAssistantData.understanding.faqEntries.first(where: { $0.id == id }), reply.text.count > 0 else { continue }
            let ok = Set(bound).union(named)
            if !e.carriers.isEmpty && Set(e.carriers).isDisjoint(with: ok) { wrong += 1; wrongList.append("\(t) [\(bound)] → \(id)") }
            if let acc = obj["accept"] as? [String] { withAccept += 1; if acc.contains(id) { accepted += 1 } }
        }
        // The figures, for the record: answers among the accepted entries, questions asked.
        print("context development set: \(total) cases, wrong carrier \(wrong), asked which \(asked), accepted entry \(accepted) of \(withAccept) answered with an accept list")
        #expect(total >= 300)
        #expect(wrong == 0, "\(wrongList.joined(separator: "\n"))")
    }
}
