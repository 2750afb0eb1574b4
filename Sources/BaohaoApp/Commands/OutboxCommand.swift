import BaohaoCore
import Storage
import Telegram

/// `baohao outbox status`: what waits to be delivered, and what was given up.
enum OutboxCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        // Items a running bot is sending now; a record a crashed bot left is not counted.
        let record = InFlightRecord.read(databasePath: config.databasePath)
        let sending = record?.alive == true ? record?.ids ?? [] : []
        let (counts, dead, inactive, retrying, inFlight) = try await database.read { db in
            (
                try Outbox.counts(db),
                try db.query("SELECT id, chat_id, error FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT 10") { "  #\($0.int64(0)) chat \($0.int64(1)): \($0.optionalString(2) ?? "")" },
                try db.queryFirst("SELECT count(*) FROM chat_state WHERE inactive_since IS NOT NULL") { $0.int(0) } ?? 0,
                try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts > 0") { $0.int(0) } ?? 0,
                try sending.reduce(0) { n, id in n + (try db.queryFirst("SELECT 1 FROM outbox WHERE id = ? AND state = 'pending'", id) { _ in 1 } ?? 0) }
            )
        }
        // A send in flight stays pending until its outcome is stored (so a crash mid-send
        // leaves it pending): "in flight" counts the pending items a running bot is sending
        // now, "retrying" those with a failed attempt.
        context.io.out("pending \(counts["pending"] ?? 0) (in flight \(inFlight), retrying \(retrying)), sent \(counts["sent"] ?? 0), dead-lettered \(counts["dead"] ?? 0), inactive chats \(inactive)")
        if !dead.isEmpty { context.io.out("latest dead letters:\n" + dead.joined(separator: "\n")) }
        return ExitCode.success
    }
}
