import BaohaoCore
import BaohaoSupport
import Storage
import Telegram

/// `baohao orders list|show` and `baohao payments refund`: renewal orders for operators.
enum OrdersCommands {
    /// `baohao orders list [--state STATE] [--limit N]`: the newest orders first.
    static func list(_ context: CommandContext) async throws -> Int32 {
        var state: OrderState?
        if let text = context.command.value("--state") {
            guard let s = OrderState(rawValue: text) else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "--state '\(text)' is not one of \(OrderState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = s
        }
        let limit = try context.command.value("--limit").map { text -> Int in
            guard let n = Int(text), (1...10_000).contains(n) else { throw CommandFailure(exitCode: ExitCode.usage, message: "--limit '\(text)' is not 1...10000") }
            return n
        } ?? 50
        let config = try context.configuration()
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        let wanted = state
        let orders = try await database.read { db in try RenewalOrders.list(db, state: wanted, limit: limit) }
        guard !orders.isEmpty else {
            context.io.out(state.map { "no \($0.rawValue) orders" } ?? "no orders")
            return ExitCode.success
        }
        for order in orders {
            context.io.out(
                [order.reference, order.state.rawValue, order.number.masked, "\(order.choice)", amount(order), order.createdAt?.description ?? "-"].joined(
                    separator: "  "))
        }
        return ExitCode.success
    }

    /// `baohao orders show REF`: one order with every time it changed state.
    static func show(_ context: CommandContext) async throws -> Int32 {
        let reference = context.command.arguments[0]
        let config = try context.configuration()
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        guard let order = try await database.read({ db in try RenewalOrders.order(db, reference: reference) }) else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "no order \(reference)")
        }
        var lines = [
            "order \(order.reference): \(order.state.rawValue)", "line \(order.number.masked), chat \(order.chatID)", "option \(order.choice), \(amount(order)) (\(order.mode))",
        ]
        let times: [(String, Instant?)] = [
            ("created", order.createdAt), ("expires", order.expiresAt), ("invoiced", order.invoicedAt), ("pre-checked", order.precheckedAt), ("paid", order.paidAt),
            ("applied", order.appliedAt), ("refunded", order.refundedAt),
        ]
        for (name, at) in times { if let at { lines.append("\(name) \(at)") } }
        if let charge = order.telegramChargeID { lines.append("telegram_payment_charge_id \(charge)") }
        if let charge = order.providerChargeID { lines.append("provider_payment_charge_id \(charge)") }
        if let reason = order.reason { lines.append("reason: \(reason)") }
        context.io.out(lines.joined(separator: "\n"))
        return ExitCode.success
    }

    static func amount(_ order: RenewalOrders.Order) -> String {
        order.invoiceCurrency == Payments.stars ? "\(order.invoiceAmount ?? 0) ⭐ (\(order.price.display))" : order.price.display
    }

    /// `baohao payments refund CHARGE_ID --reason TEXT`: Stars are given back through
    /// Telegram (`refundStarPayment`, with BOT_TOKEN); a provider's payment is recorded as
    /// refunded, to be refunded at the provider. Either way the order is marked refunded, the
    /// ledger has a row and the customer is told (a running bot sends the notice).
    static func refund(_ context: CommandContext) async throws -> Int32 {
        let charge = context.command.arguments[0]
        guard let reason = context.command.value("--reason")?.trimmingWhitespace, !reason.isEmpty else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "--reason TEXT is required: why the payment is given back")
        }
        let config = try context.configuration()
        let catalogue = try context.loadCatalogue(config)
        let replies: ReplyBook
        do { replies = try ReplyBook.load(path: config.intentsDirectory + "/replies.json") } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "reply templates: \(error)")
        }
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        guard let order = try await database.read({ db in try RenewalOrders.order(db, charge: charge) }) else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "no order was paid with charge \(charge)")
        }
        guard order.state == .paid || order.state == .applied else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "order \(order.reference) is \(order.state.rawValue): there is nothing to refund")
        }
        let user = context.environment["USER"] ?? "cli"
        let how: String
        if order.invoiceCurrency == Payments.stars {
            guard let token = config.token else {
                throw CommandFailure(exitCode: ExitCode.config, message: "refunding Stars calls Telegram: set BOT_TOKEN (or token_file)")
            }
            let api = BotAPI(baseURL: config.apiBaseURL, token: token.secret, client: HTTPClient(label: "refund"))
            do {
                try await api.refundStarPayment(userID: order.userID ?? order.chatID, chargeID: charge)
            } catch let error as BotAPIError {
                throw CommandFailure(exitCode: ExitCode.failure, message: "Telegram refused the refund: \(error)")
            }
            how = "Stars refunded through Telegram"
        } else {
            how = "to be refunded at the provider"
        }
        let now = SystemWallClock().now()
        let recorded = try await database.write { db in
            try Payments.recordRefund(db, order, reason: reason, how: how, by: .operator("cli:\(user)"), catalogue: catalogue, replies: replies, at: now)
        }
        guard recorded else { throw CommandFailure(exitCode: ExitCode.dataError, message: "order \(order.reference) was refunded meanwhile") }
        context.io.out("order \(order.reference): refunded (\(how)); the customer is told")
        if order.invoiceCurrency != Payments.stars {
            context.io.out("refund provider_payment_charge_id \(order.providerChargeID ?? "-") in the payment provider's dashboard")
        }
        return ExitCode.success
    }
}
