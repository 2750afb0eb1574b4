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
            "pending \(counts["pending"] ?? 0) (in flight \(status.inFlight), retrying \(status.retrying)), sent \(counts["sent"] ?? 0) (possible duplicates \(status.possibleDuplicates)), dead-lettered \(counts["dead"] ?? 0), inactive chats \(status.inactiveChats)")
        if let oldest = status.oldestPending {
            let seconds = max(0, (SystemWallClock().now().millisecondsSinceEpoch - oldest.millisecondsSinceEpoch) / 1000)
            context.io.out("oldest waiting: \(age(seconds)) (queued \(oldest))")
        }
        if !status.latestDead.isEmpty {
            context.io.out("latest dead letters:\n" + status.latestDead.map { "  #\($0.id) chat \($0.chatID): \(oneLine($0.error))" }.joined(separator: "\n"))
        }
        return ExitCode.success
    }

    /// `baohao outbox retry ID | --all [--since T]`: dead letters queued again, all or nothing.
    static func retry(_ context: CommandContext) async throws -> Int32 {
        let command = context.command
        let id = command.arguments.first
        guard (id == nil) != !command.flag("--all") else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "give a dead letter's ID or --all, not both")
        }
        var since: Instant?
        if let text = command.value("--since") {
            guard command.flag("--all") else { throw CommandFailure(exitCode: ExitCode.usage, message: "--since goes with --all") }
            if let date = CivilDate(iso: text), text.count == 10 {
                since = Instant(secondsSinceEpoch: date.daysSinceEpoch * 86_400)
            } else if let instant = Instant(commandLine: text) {
                since = instant
            } else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "--since '\(text)' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
            }
        }
        var number: Int64?
        if let id {
            guard let n = Int64(id.hasPrefix("#") ? String(id.dropFirst()) : id), n > 0 else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "'\(id)' is not an outbox item id")
            }
            number = n
        }
        let config = try context.configuration()
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        let ids: [Int64]
        do {
            let (item, from) = (number, since)
            ids = try await database.write { db in try Outbox.requeueDead(db, id: item, since: from) }
        } catch let error as Outbox.RequeueError {
            throw CommandFailure(exitCode: ExitCode.dataError, message: error.description)
        }
        if ids.isEmpty {
            context.io.out("no dead letters" + (since.map { " since \($0)" } ?? ""))
        } else {
            let shown = ids.prefix(20).map { "#\($0)" }.joined(separator: ", ") + (ids.count > 20 ? ", …" : "")
            context.io.out("queued again: \(ids.count) (\(shown)); a running bot sends them within a second or two")
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
