import BaohaoCore
import BaohaoSupport
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
        if let oldest = status.oldestPending {
            let seconds = max(0, (SystemWallClock().now().millisecondsSinceEpoch - oldest.millisecondsSinceEpoch) / 1000)
            context.io.out("oldest waiting: \(age(seconds)) (queued \(oldest))")
        }
        if !status.latestDead.isEmpty {
            context.io.out("latest dead letters:\n" + status.latestDead.map { "  #\($0.id) chat \($0.chatID): \(oneLine($0.error))" }.joined(separator: "\n"))
        }
        return ExitCode.success
    }

    /// "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h".
    static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3600: "\(seconds / 60) min \(seconds % 60) s"
        case ..<86_400: "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: "\(seconds / 86_400) d \(seconds % 86_400 / 3600) h"
        }
    }

    /// A stored reason on one line of at most 160 characters: reasons recorded before they
    /// were made readable may hold a proxy's whole HTML page.
    static func oneLine(_ reason: String) -> String {
        let words = reason.split(whereSeparator: \.isWhitespace)
        let line = words.joined(separator: " ")
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
