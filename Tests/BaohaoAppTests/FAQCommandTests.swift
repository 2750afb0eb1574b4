import Foundation
import Storage
import Testing
import TestSupport
import Understanding
@testable import BaohaoApp
@testable import BaohaoCore
import BaohaoSupport

/// `baohao faq` end to end on a fresh database seeded from Intents/faq.json.
@Suite struct FAQCommandTests {
    let database = temporaryDatabase("faq-cli")

    /// `baohao ARGS --db <this test's database>`; `config` is bot.json. `BAOHAO_NOW` is set
    /// to show that the faq commands ignore it (their versions are stamped by the system clock).
    private func run(_ args: [String], config: String = "{}") async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile(config), "BAOHAO_NOW": "2001-01-01", "USER": "alice"]
        let code = await BaohaoCLI.main(arguments: args + ["--db", database], environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    @Test func listShowExportImportHistoryAndRollback() async throws {
        let (listCode, list) = await run(["faq", "list"])
        #expect(listCode == 0, "\(list.err)")
        #expect(list.out.split(separator: "\n").count == 28)
        #expect(list.out.contains("renew-general-steps\trenew\t保号卡续费的一般步骤是什么？\tvariants: ultra-renew (ultra US), tello-renew (tello US)"), "\(list.out)")
        let (_, renewOnly) = await run(["faq", "list", "--topic", "refund"])
        #expect(!renewOnly.out.contains("\trenew\t"))

        let (showCode, show) = await run(["faq", "show", "renew-general-steps"])
        #expect(showCode == 0)
        #expect(show.out.hasPrefix("# renew-general-steps, version 1"))
        #expect(show.out.contains("\"id\": \"ultra-renew\""))

        let file = makeTemporaryDirectory() + "/faq-export.json"
        let (exportCode, exported) = await run(["faq", "export", file])
        #expect(exportCode == 0, "\(exported.err)")
        #expect(exported.out == "wrote 28 entries to \(file)")
        let text = try #require(FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) })

        // One good change and one entry Telegram would refuse: nothing is imported, every problem is named.
        let changed = text.replacing("Afterwards text <code>BAL</code> to 6700", with: "Afterwards send <code>BAL</code> to 6700")
        #expect(changed != text)
        let badEntry = #"{"id": "bad-1", "topic": "general", "question": {"en": "Q", "zh-Hans": "Q", "zh-Hant": "Q"}, "phrasings": ["q"], "answer": {"en": "<b>open", "zh-Hans": null, "zh-Hant": null}},"#
        let bad = changed.replacing("\"entries\": [\n", with: "\"entries\": [\n" + badEntry + "\n")
        #expect(bad != changed)
        try Data(bad.utf8).write(to: URL(fileURLWithPath: file))
        #expect(FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } == bad)
        let (badCode, refused) = await run(["faq", "import", file])
        #expect(badCode == 65, "\(refused.out)")
        #expect(refused.err.contains("nothing imported"))
        #expect(refused.err.contains("bad-1, answer.en: Telegram would refuse this HTML"))
        #expect(try await history("renew-general-steps").count == 1)

        try Data(changed.utf8).write(to: URL(fileURLWithPath: file))
        let (dryCode, dry) = await run(["faq", "import", file, "--dry-run"])
        #expect(dryCode == 0, "\(dry.err)")
        #expect(dry.out.contains("update renew-general-steps"))
        #expect(dry.out.contains("variant ultra-renew.answer[en]:"), "\(dry.out)")
        #expect(dry.out.contains("1 change(s), 27 unchanged"))
        #expect(try await history("renew-general-steps").count == 1)

        let (importCode, imported) = await run(["faq", "import", file])
        #expect(importCode == 0, "\(imported.err)")
        #expect(imported.out.hasSuffix("imported 1 change(s)"))
        let (_, historyOut) = await run(["faq", "history", "renew-general-steps"])
        #expect(historyOut.out.contains("v2"))
        #expect(!historyOut.out.contains("2001-01-01"), "BAOHAO_NOW dated a version: \(historyOut.out)")
        let year = String(SystemWallClock().now().description.prefix(4))
        #expect(historyOut.out.contains("v2  \(year)-"), "\(historyOut.out)")
        #expect(historyOut.out.contains("cli:alice"))
        #expect(historyOut.out.contains("answer[en]"))

        let (rollbackCode, rolledBack) = await run(["faq", "rollback", "renew-general-steps", "1"])
        #expect(rollbackCode == 0, "\(rolledBack.err)")
        #expect(rolledBack.out.contains("renew-general-steps is now version 3"))
        let (_, shown) = await run(["faq", "show", "renew-general-steps"])
        #expect(shown.out.contains("Afterwards text <code>BAL</code> to 6700"))

        let (missingCode, missing) = await run(["faq", "show", "no-such-entry"])
        #expect(missingCode == 65)
        #expect(missing.err.contains("there is no FAQ entry 'no-such-entry'"))
    }

    /// `faq variant`: the 3HK answer of the refund question added, changed in one language,
    /// refused when incomplete, and removed; each a version of the entry.
    @Test func variantAddsChangesAndRemovesACarriersAnswer() async throws {
        let (incomplete, refused) = await run(["faq", "variant", "refund-remaining-balance", "3hk", "--en", "3HK: no refunds."])
        #expect(incomplete == 65)
        #expect(refused.err.contains("variants[2].answer.zh-Hans: missing"), "\(refused.err)")
        let (code, added) = await run([
            "faq", "variant", "refund-remaining-balance", "3hk", "--zh-Hans", "3HK：余额不退。", "--zh-Hant", "3HK：餘額唔退。", "--en", "3HK: no refunds.",
        ])
        #expect(code == 0, "\(added.err)")
        #expect(added.out.contains("variant refund-remaining-balance-3hk: + (3hk)"))
        #expect(added.out.hasSuffix("refund-remaining-balance is now version 2"))
        let (_, changed) = await run(["faq", "variant", "refund-remaining-balance", "3hk", "--en", "<b>3HK</b>: no refunds."])
        #expect(changed.out.contains("variant refund-remaining-balance-3hk.answer[en]:"), "\(changed.out)")
        let (_, listed) = await run(["faq", "list", "--topic", "refund"])
        #expect(listed.out.contains("refund-remaining-balance-3hk (3hk)"))
        let (removeCode, removed) = await run(["faq", "variant", "refund-remaining-balance", "3hk", "--remove"])
        #expect(removeCode == 0, "\(removed.err)")
        #expect(removed.out.contains("variant refund-remaining-balance-3hk: − removed"))
        let (missingCode, missing) = await run(["faq", "variant", "refund-remaining-balance", "3hk", "--remove"])
        #expect(missingCode == 65)
        #expect(missing.err.contains("refund-remaining-balance has no variant for 3hk"))
        #expect(try await history("refund-remaining-balance").count == 4)
    }

    /// The export with one more phrasing for the renew question: a balance question the
    /// shipped regression set holds, which the renew entry would then steal.
    func exportWithStolenMatch() async throws -> String {
        let file = makeTemporaryDirectory("faq-steal") + "/faq.json"
        let (code, exported) = await run(["faq", "export", file])
        #expect(code == 0, "\(exported.err)")
        let text = try #require(FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) })
        let entries = try FAQFileFormat.decodeFile(Array(text.utf8)).get()
        let stolen = entries.map { $0.id == "renew-general-steps" ? $0.with(phrasings: $0.phrasings + ["查询到期日期"]) : $0 }
        try Data(FAQFileFormat.encodeFile(stolen).utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    @Test func theShippedRegressionSetGatesAnImport() async throws {
        let shipped = try RegressionGate.loadRegressionSet(path: "Intents/regression.jsonl")
        #expect(shipped.contains { $0.text == "查询到期日期" && $0.label == "check_balance" })
        let file = try await exportWithStolenMatch()
        // The default configuration: Intents/regression.jsonl.
        let (code, refused) = await run(["faq", "import", file])
        #expect(code == 65, "\(refused.out)\n\(refused.err)")
        #expect(refused.err.contains("“查询到期日期”: check_balance → faq:renew-general-steps"), "\(refused.err)")
        #expect(refused.err.contains("run again with --accept-regressions"))
        #expect(try await history("renew-general-steps").count == 1)
        // The file is what gates: an empty regression set lets the same import through.
        let empty = writeTemporaryFile("", name: "regression.jsonl")
        let (emptyCode, imported) = await run(["faq", "import", file], config: #"{"regression_set_file": "\#(empty)"}"#)
        #expect(emptyCode == 0, "\(imported.err)")
        #expect(try await history("renew-general-steps").count == 2)
    }

    @Test func importAndRollbackStopWith78OnAnUnusableRegressionSetAndChangeNothing() async throws {
        let bad = writeTemporaryFile(#"{"text": "我的余额", "intent": "check_balance"}"# + "\n\n" + #"{"text": "怎么续费", "intent": "renew""#, name: "regression.jsonl")
        let missing = makeTemporaryDirectory("regression") + "/missing.jsonl"
        let cases: [(config: String, message: String)] = [
            (#"{"regression_set_file": "\#(bad)"}"#, "\(bad): regression_set_file: line 3: not a JSON object"),
            (#"{"regression_set_file": "\#(missing)"}"#, "\(missing): regression_set_file: cannot read the file (No such file or directory)"),
        ]
        for (config, message) in cases {
            for command in [["faq", "import", "/nonexistent/faq.json"], ["faq", "rollback", "ultra-renew", "1"]] {
                let (code, io) = await run(command, config: config)
                #expect(code == 78, "\(command): \(io.err)")
                #expect(io.err.contains(message), "\(command): \(io.err)")
                #expect(!FileManager.default.fileExists(atPath: database), "\(command) opened the database")
            }
        }
        // Commands that change nothing never replay it.
        let (listCode, list) = await run(["faq", "list"], config: cases[1].config)
        #expect(listCode == 0, "\(list.err)")
    }

    func history(_ id: String) async throws -> [FAQStore.Version] {
        let db = try await Database.open(path: database, migrations: BaohaoSchema.migrations)
        return try await db.read { db in try FAQStore.history(db, id: id) }
    }
}
