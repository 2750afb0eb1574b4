import BaohaoCore
import Foundation
import Storage

/// Finding the due alerts among 1,000,000 bound lines (expiries spread over a year).
enum AlertsBench {
    static func run(root: String, lines: Int = 1_000_000, runs: Int) throws -> (sample: Sample, due: Int) {
        let path = NSTemporaryDirectory() + "baohao-alerts-bench-\(getpid()).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        let db = try Connection(path: path)
        _ = try Migrator.migrate(db, BaohaoSchema.migrations)
        let catalogue = try CarrierCatalogueLoader.load(path: root + "/Config/carriers.json")
        let replies = try ReplyBook.load(path: root + "/Intents/replies.json")
        let carriers = catalogue.carriers
        let start = CivilDate(iso: "2026-06-01")!
        try db.transaction {
            let insertLine = try db.prepare(
                "INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, 0, '', '')")
            let insertBinding = try db.prepare("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, '')")
            var generator = SplitMix(seed: 7)
            for i in 0..<lines {
                let carrier = carriers[i % carriers.count]
                let number = "+1\(2_000_000_000 + i)"
                let expires = start.adding(days: Int(generator.next() % 365)).description
                try insertLine.execute([number, carrier.id, carrier.plans[0].id, carrier.currency, expires])
                try insertBinding.execute([Int64(10_000 + i), db.lastInsertRowID])
            }
        }
        let scheduler = AlertScheduler(catalogue: catalogue, replies: replies, settings: AssistantSettings())
        let now = Instant(iso: "2026-11-22T14:00:00.000Z")!
        var due = 0
        let sample = repeatRuns(runs) {
            milliseconds { due = (try? scheduler.plan(db, now: now).count) ?? -1 }
        }
        return (sample, due)
    }
}
