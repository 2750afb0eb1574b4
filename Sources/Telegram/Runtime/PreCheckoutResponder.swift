import BaohaoCore
import Storage
import BaohaoSupport
import Synchronization

/// Answers pre-checkout queries within Telegram's 10 seconds, ahead of the batch they came in:
/// on its own read connection (in WAL mode a writer, even another process holding the write
/// lock, does not block it) and its own Bot API client, so neither a slow batch nor a busy
/// database delays the answer. The rules are the batch's (`Payments.precheck`); the batch
/// records the order's state from the same rules. A query comes again when its batch is
/// handled again: it is answered once.
final class PreCheckoutResponder: Sendable {
    let reader: Database
    let api: BotAPI
    let assistant: Assistant
    let logger: Logger
    /// How long the decision may take before the answer is no ("try again"), seconds.
    let decisionDeadlineSeconds: Double
    private let answered = Mutex<Set<String>>([])

    init(reader: Database, api: BotAPI, assistant: Assistant, logger: Logger, decisionDeadlineSeconds: Double = 6) {
        self.reader = reader
        self.api = api
        self.assistant = assistant
        self.logger = logger
        self.decisionDeadlineSeconds = decisionDeadlineSeconds
    }

    /// A decision: the query, and nil for yes or the refusal with its text.
    typealias Decision = (query: PreCheckoutQueryObject, refusal: (refusal: PrecheckRefusal, text: String)?)

    /// Decides each query not answered before (reads only, on the responder's connection).
    /// Done before the batch that carries the queries starts, so the batch's own record of
    /// them cannot change what the customer is told.
    func decide(_ queries: [PreCheckoutQueryObject]) async -> [Decision] {
        var decisions: [Decision] = []
        let busy = assistant.knowledge.replies.text(.paymentRefusedBusy, assistant.settings.defaultLanguage)
        for query in queries {
            guard answered.withLock({ $0.insert(query.id).inserted }) else { continue }
            let inbound = Inbound.PreCheckoutQuery(id: query.id, currency: query.currency, totalAmount: query.totalAmount, payload: query.invoicePayload)
            let assistant = self.assistant, reader = self.reader, now = assistant.clock.now()
            do {
                let decision = try await TelegramBot.withDeadline(seconds: decisionDeadlineSeconds) {
                    try await reader.read { db in
                        try Payments.precheck(
                            db, inbound, catalogue: assistant.catalogue, replies: assistant.knowledge.replies, defaultLanguage: assistant.settings.defaultLanguage,
                            at: now)
                    }
                }
                // Too slow to check: no (money is never taken for what could not be checked).
                decisions.append((query, decision ?? (.priceChanged, busy)))
            } catch {
                logger.error("payments.precheck_failed", ["reference": .string(query.invoicePayload), "error": .string("\(error)")])
                decisions.append((query, (.priceChanged, busy)))
            }
        }
        return decisions
    }

    /// Sends the answers.
    func send(_ decisions: [Decision]) async {
        for (query, refusal) in decisions {
            do {
                try await api.answerPreCheckoutQuery(id: query.id, ok: refusal == nil, errorMessage: refusal?.text)
                logger.info(
                    "payments.prechecked", ["reference": .string(query.invoicePayload), "ok": .bool(refusal == nil), "reason": .string(refusal?.refusal.rawValue ?? "")])
            } catch {
                logger.error("payments.precheck_answer_failed", ["reference": .string(query.invoicePayload), "error": .string("\(error)")])
            }
        }
    }
}
