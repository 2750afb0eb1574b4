import BaohaoCore
import Foundation
import Storage
import BaohaoSupport

/// Finding the due alerts among 1,000,000 bound lines (expiries spread over a year).
enum AlertsBench {
    static func run(root: String, lines: Int = 1_000_000, runs: Int) throws -> (sample: Sample, due: Int) {
        let path = NSTemporaryDirectory() + "baohao-alerts-bench-\(getpid()).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        let db = try SQLiteConnection(path: path)
        _ = try Migrator.migrate(db, BaohaoSchema.migrations)
        let catalogue = try CarrierCatalogueLoader.load(path: root + "/Config/carriers.json")
        let replies = try ReplyBook.load(path: root + "/Intents/replies.json")
        try BenchData.insertLines(db, catalogue: catalogue, count: lines)
        let scheduler = AlertScheduler(catalogue: catalogue, replies: replies, settings: AssistantSettings(configuration: BotConfiguration()))
        let now = Instant(iso: "2026-11-22T14:00:00.000Z")!
        var due = 0
        let sample = repeatRuns(runs) {
            milliseconds { due = (try? scheduler.plan(db, now: now).count) ?? -1 }
        }
        return (sample, due)
    }
}
