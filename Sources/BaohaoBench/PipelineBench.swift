import BaohaoCore
import Foundation
import Storage
import Telegram
import Understanding
import BaohaoSupport

/// The assistant and SQLite without network: updates handled per second (each in its own
/// transaction with its replies queued and the offset stored).
enum PipelineBench {
    static func run(root: String, messages: [String], count: Int = 20_000, runs: Int) async throws -> Sample {
        let loaded = try UnderstandingDataLoader.load(directory: root + "/Intents", carriersFile: root + "/Config/carriers.json")
        let knowledge = AssistantKnowledge(
            classifier: Classifier(data: loaded.data), faq: loaded.faqEntries, replies: try ReplyBook.load(path: root + "/Intents/replies.json"),
            traditionalToSimplified: loaded.data.traditionalToSimplified)
        let catalogue = try CarrierCatalogueLoader.load(path: root + "/Config/carriers.json")
        var rates: [Double] = []
        for run in 0..<runs {
            let path = NSTemporaryDirectory() + "baohao-pipeline-\(getpid())-\(run).sqlite"
            defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
            let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
            let assistant = Assistant(knowledge: knowledge, catalogue: catalogue, settings: AssistantSettings(configuration: BotConfiguration()), clock: SystemWallClock())
            let handler = UpdateHandler(assistant: assistant, database: database, logger: Logger(level: .error))
            let updates = (0..<count).map { i in
                Update(
                    updateID: Int64(i + 1),
                    message: TelegramMessage(
                        messageID: Int64(i + 1), from: nil, chat: TelegramChat(id: Int64(1 + i % 1000), type: "private"), date: nil,
                        text: messages[i % messages.count], entities: nil), callbackQuery: nil)
            }
            let clock = ContinuousClock()
            let start = clock.now
            for batch in stride(from: 0, to: count, by: 100) { try await handler.handle(Array(updates[batch..<min(count, batch + 100)])) }
            let elapsed = start.duration(to: clock.now)
            rates.append(Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }
        return Sample(rates)
    }
}
