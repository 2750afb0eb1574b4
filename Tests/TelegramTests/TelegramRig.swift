import BaohaoCore
import BotAPIDouble
import Storage
import TestSupport
import Testing
import Understanding
@testable import Telegram
import BaohaoSupport

/// The shipped knowledge, loaded once.
enum Shipped {
    static let understanding: UnderstandingDataLoader.Loaded = {
        do { return try UnderstandingDataLoader.load(directory: repositoryRoot + "/Intents", carriersFile: repositoryRoot + "/Config/carriers.json") } catch {
            fatalError("\(error)")
        }
    }()
    static let knowledge = AssistantKnowledge(
        classifier: Classifier(data: understanding.data), faq: understanding.faqEntries,
        replies: try! ReplyBook.load(path: repositoryRoot + "/Intents/replies.json"), traditionalToSimplified: understanding.data.traditionalToSimplified)
    static let catalogue = try! CarrierCatalogueLoader.load(path: repositoryRoot + "/Config/carriers.json")
}

/// The real bot, its database and a Bot API double on loopback.
final class TelegramRig: @unchecked Sendable {
    // @unchecked Sendable: the fields are set once in init; the task handle only by the test.
    let double: BotAPIDouble
    let databasePath: String
    let database: Database
    let logs = CapturingLogSink()
    let clock = ManualWallClock("2026-11-22")
    var settings = TelegramBot.Settings(configuration: BotConfiguration())
    private var task: Task<Void, any Error>?
    private var signal: AsyncStream<Int32>.Continuation?

    let operators: Set<Int64>
    /// Invoices (provider or Stars) instead of the payment link.
    var paymentMode: PaymentSettings.Mode = .off
    /// The database's FAQ generation when the rig opened it (the shipped entries are its first versions).
    let faqGeneration: Int64

    init(databasePath: String = temporaryDatabase("telegram"), double: BotAPIDouble? = nil, operators: Set<Int64> = []) async throws {
        self.double = try double ?? BotAPIDouble()
        self.double.start()
        self.databasePath = databasePath
        self.operators = operators
        database = try await Database.open(path: databasePath, migrations: BaohaoSchema.migrations)
        let now = clock.now()
        faqGeneration = try await database.write { db in
            try FAQStore.seedIfEmpty(db, entries: Shipped.understanding.faqEntries, author: "file", at: now)
            return try FAQStore.generation(db)
        }
        settings.pollTimeoutSeconds = 1
        settings.limits = .off
        settings.drainSeconds = 5
    }

    var logger: Logger { Logger(level: .debug, sink: logs, redactor: Redactor(secrets: [double.token])) }

    func makeBot(token: String? = nil) -> TelegramBot {
        var assistantSettings = AssistantSettings(configuration: BotConfiguration())
        assistantSettings.regressionSetFile = nil  // only the questions stored in the database
        assistantSettings.operatorChatID = -500
        assistantSettings.operators = operators
        assistantSettings.paymentMode = paymentMode
        let knowledge = AssistantKnowledge(
            classifier: Shipped.knowledge.classifier, faq: Shipped.knowledge.faq, replies: Shipped.knowledge.replies,
            traditionalToSimplified: Shipped.understanding.data.traditionalToSimplified, faqGeneration: faqGeneration)
        let assistant = Assistant(knowledge: knowledge, catalogue: Shipped.catalogue, settings: assistantSettings, clock: clock)
        return TelegramBot(baseURL: double.baseURL, token: token ?? double.token, database: database, assistant: assistant, settings: settings, logger: logger)
    }

    /// Starts the bot in the background.
    @discardableResult
    func start() -> TelegramBot {
        let bot = makeBot()
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signal = continuation
        task = Task { try await bot.run(shutdown: stream) }
        return bot
    }

    /// Sends SIGTERM to the bot and waits for it to finish.
    func stop() async throws {
        signal?.yield(15)
        try await task?.value
        task = nil
        checkLogsAreClean()
    }

    /// Every end-to-end test: no captured log line holds the token or a full phone number.
    func checkLogsAreClean() {
        let secret = String(double.token.split(separator: ":").last ?? "")
        for problem in LogCheck.problems(in: logs.lines, secrets: [double.token, secret]) { Issue.record("\(problem)") }
    }

    /// Waits up to `seconds` for `predicate` (it returns as soon as the predicate holds). 60 s by
    /// default: in the full suite on a loaded 2-core machine, a bot's first replies took more than 20 s.
    func waitFor(_ seconds: Double = 60, _ predicate: @escaping @Sendable () -> Bool) async -> Bool {
        await double.waitAsync(timeout: seconds, until: predicate)
    }

    deinit { double.stop() }
}
