import Foundation
import Testing
import TestSupport
@testable import BaohaoApp
@testable import BaohaoCore

@Suite struct UnderstandingCommandTests {
    /// Runs `baohao` with the repository's Intents/ and catalogue, whatever the working directory.
    private func run(_ args: [String]) async -> (Int32, CapturedIO) {
        let config = writeTemporaryFile(#"{"intents_dir": "\#(repositoryRoot)/Intents", "carriers_file": "\#(repositoryRoot)/Config/carriers.json"}"#)
        let captured = CapturedIO()
        let code = await BaohaoCLI.main(arguments: args, environment: ProcessEnvironment(["BAOHAO_CONFIG": config]), io: captured.io)
        return (code, captured)
    }

    @Test func classifyExplainsItsChoice() async {
        let (code, io) = await run(["classify", "點樣續費呀 ultra +1 415-555-0134 三個月"])
        #expect(code == 0)
        #expect(io.out.contains("normalized: 怎样续费呀 ultra 1 415 555 0134 3个月"))
        #expect(io.out.contains("decision:   answer"))
        #expect(io.out.contains("label renew"))
        // The learned model's view: its likeliest label first, and whether it is on topic.
        #expect(io.out.contains("label model: renew 1.000 · "))
        #expect(io.out.contains("; in scope 0.9"))
        #expect(io.out.contains("candidates:\n  1. "))
        #expect(io.out.contains("shared tokens:"))
        #expect(io.out.contains("续费→<renew>"))
        #expect(io.out.contains("phone +14155550134 (US)"))
        #expect(io.out.contains("carrier ultra"))
        #expect(io.out.contains("duration 3 months"))
    }

    @Test func classifySaysWhoseAnswerAChatWithTheseCarriersGets() async {
        let (_, unbound) = await run(["classify", "付款失败了怎么办"])
        let whose = unbound.out.split(separator: "\n").first { $0.hasPrefix("whose answer (no line): answer faq:") }
        #expect(whose != nil, "\(unbound.out)")
        #expect(!(whose?.contains("answer faq:giffgaff") ?? true))
        let (_, two) = await run(["classify", "付款失败了怎么办", "--carrier", "ultra,giffgaff"])
        #expect(two.out.contains("whose answer (lines of ultra, giffgaff):"))
        let (_, named) = await run(["classify", "giffgaff 可以退款吗", "--carrier", "ultra"])
        #expect(named.out.contains("answer faq:giffgaff-14-day-refund — refund-remaining-balance, variant giffgaff-14-day-refund (giffgaff UK): named carrier giffgaff"))
        let (code, bad) = await run(["classify", "hi", "--carrier", "nope"])
        #expect(code == 64)
        #expect(bad.err.contains("--carrier: 'nope' is not a carrier"))
    }

    @Test func evalPrintsEveryFigureAndJSON() async throws {
        let file = writeTemporaryFile(
            [#"{"text": "余额多少", "intent": "check_balance"}"#, #"{"text": "點樣續費", "intent": "renew"}"#,
             #"{"text": "今天天气怎么样", "intent": "out_of_scope"}"#, #"{"text": "多谢", "intent": "thanks"}"#].joined(separator: "\n"),
            name: "set.jsonl")
        let (code, io) = await run(["eval", file])
        #expect(code == 0)
        for part in ["utterances:   4", "accuracy:", "macro-F1:", "clarify rate:", "median", "p99", "precision  recall", "most frequent confusions"] {
            #expect(io.out.contains(part), "missing \(part)")
        }
        let (jsonCode, jsonIO) = await run(["eval", file, "--json"])
        #expect(jsonCode == 0)
        let object = try JSONSerialization.jsonObject(with: Data(jsonIO.out.utf8)) as? [String: Any]
        for key in ["accuracy", "macro_f1", "count", "clarify_rate", "per_label", "p50_us", "p99_us"] {
            #expect(object?[key] != nil, "missing key \(key)")
        }
        #expect(object?["count"] as? Int == 4)
    }

    @Test func evalRejectsABadFileNamingTheLine() async {
        let file = writeTemporaryFile(#"{"text": "a", "intent": "renew"}"# + "\n" + #"{"text": "b", "intent": "bogus"}"#, name: "bad.jsonl")
        let (code, io) = await run(["eval", file])
        #expect(code == 65)
        #expect(io.err.contains("bad.jsonl: line 2: 'bogus' is not a label"))
        let (missing, missingIO) = await run(["eval", "/nonexistent/set.jsonl"])
        #expect(missing == 65)
        #expect(missingIO.err.contains("cannot read the file"))
    }

    @Test func badUnderstandingDataStopsWithFileEntryAndField() async {
        let config = writeTemporaryFile(#"{"intents_dir": "/nonexistent/Intents"}"#)
        let captured = CapturedIO()
        let code = await BaohaoCLI.main(arguments: ["classify", "hi"], environment: ProcessEnvironment(["BAOHAO_CONFIG": config]), io: captured.io)
        #expect(code == 65)
        #expect(captured.err.contains("understanding data: /nonexistent/Intents/t2s.tsv: cannot read the file"))
    }
}
