import BaohaoCore
import BotAPIDouble
import Storage
import TestSupport
@testable import Telegram
import BaohaoSupport

/// A Bot API double, a database file and senders over them: what the sender's own tests
/// share. `stop()` ends the double.
struct SenderRig {
    let double: BotAPIDouble
    let path: String
    let database: Database

    /// `enforceLimits`: the double answers sends beyond them with 429 (`FloodControl`).
    /// `sqliteFile`: always a SQLite file, for what is kept beside one (the delivery journal,
    /// the in-flight record); otherwise the engine `BAOHAO_TEST_ENGINE` picks.
    init(_ name: String, enforceLimits: FloodControl.Limits? = nil, sqliteFile: Bool = false) async throws {
        double = try BotAPIDouble(enforceLimits: enforceLimits)
        double.start()
        path = sqliteFile ? temporaryDatabasePath(name) : temporaryDatabase(name)
        database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
    }

    func stop() { double.stop() }

    func api(_ label: String) -> BotAPI { BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: label)) }

    /// A sender with one client, rate limits off.
    func sender(_ label: String) -> OutboxSender { OutboxSender(database: database, clients: [api(label)], limits: .off, logger: Logger(level: .error)) }

    /// The sender `baohao run` builds from `configuration`: its rate limits, lifetimes and
    /// number of clients.
    func sender(configuration: BotConfiguration) -> OutboxSender {
        OutboxSender(
            database: database, clients: (0..<configuration.telegram.senderClients).map { api("send\($0)") },
            limits: SendScheduler.Limits(configuration: configuration), lifetime: DeliveryLifetime(configuration: configuration), logger: Logger(level: .error))
    }

    /// Queues one reply ("reply N", or `html`) to each chat; returns their outbox ids.
    @discardableResult
    func enqueue(chats: [Int64], html: String? = nil) async throws -> [Int64] {
        let now = SystemWallClock().now()
        return try await database.write { db in
            try chats.map { chat -> Int64 in
                try Outbox.enqueueReturningID(db, OutboundMessage(chatID: chat, html: html ?? "reply \(chat)"), at: now)
            }
        }
    }
}
