import BaohaoCore
import BotAPIDouble
import Foundation
import Storage
import Telegram
import BaohaoSupport

/// The outbox sender alone, rate limits off: a full outbox delivered to the Bot API double
/// (in this process) over loopback. Tells whether sending or handling limits the end-to-end rate.
enum SenderBench {
    static func run(count: Int = 20_000, chats: Int = 1_000, clients: Int) async throws -> Double {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let path = NSTemporaryDirectory() + "baohao-sender-\(getpid()).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        try await database.write { db in
            try db.transaction {
                for i in 0..<count {
                    try Outbox.enqueue(db, OutboundMessage(chatID: Int64(1 + i % chats), html: "<b>余额</b>：US$4.50\n到期日：2026-11-25（还剩 3 天）", buttons: [[OutboundButton("续费", .menu(.renew))]]), at: now)
                }
            }
        }
        let apis = (0..<clients).map { BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: "bench\($0)")) }
        let sender = OutboxSender(database: database, clients: apis, limits: .off, logger: Logger(level: .error))
        let start = ContinuousClock.now
        await sender.drain(seconds: 60)
        let elapsed = start.duration(to: .now)
        let delivered = await sender.delivered
        return Double(delivered) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
