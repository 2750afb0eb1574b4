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
        let status = try await database.read { db in try Outbox.status(db, sending: sending) }
        // A send in flight stays pending until its outcome is stored (so a crash mid-send
        // leaves it pending): "in flight" counts the pending items a running bot is sending
        // now, "retrying" those with a failed attempt.
        let counts = status.counts
        context.io.out(
            "pending \(counts["pending"] ?? 0) (in flight \(status.inFlight), retrying \(status.retrying)), sent \(counts["sent"] ?? 0), dead-lettered \(counts["dead"] ?? 0), inactive chats \(status.inactiveChats)")
        if !status.latestDead.isEmpty {
            context.io.out("latest dead letters:\n" + status.latestDead.map { "  #\($0.id) chat \($0.chatID): \($0.error)" }.joined(separator: "\n"))
        }
        return ExitCode.success
    }
}
