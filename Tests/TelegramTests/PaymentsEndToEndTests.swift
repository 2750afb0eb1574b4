import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Foundation
import Storage
import Synchronization
import Testing
import Understanding
@testable import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// Renewals paid in the chat, end to end through the Bot API double: the option buttons, the
/// invoice, Telegram's pre-checkout (10 s) and its successful_payment, and what the customer
/// and the operators read.
@Suite(.serialized) struct PaymentsEndToEndTests {
    static let customer: Int64 = 42, operators: Int64 = -500, ann: Int64 = 9
    static let number = "+13105550117"

    /// A bot in `mode` (provider: with a test token) whose customer 42 has an Ultra line expiring 2026-12-20.
    static func rig(_ mode: PaymentSettings.Mode) async throws -> TelegramRig {
        let rig = try await TelegramRig(operators: [ann])
        rig.paymentMode = mode
        if mode == .provider { rig.settings.paymentToken = PaymentToken("284685063:TEST:secret-provider-token") }
        try await bindLine(rig.database, clock: rig.clock)
        return rig
    }

    static func bindLine(_ database: Database, clock: any WallClock) async throws {
        let service = SQLiteLineService(database: database, catalogue: Shipped.catalogue, clock: clock)
        let row = LineImportRow(
            line: 2, number: PhoneNumber(e164: number)!, carrier: "ultra", plan: "paygo", balance: Money(minorUnits: 450, currency: "USD"),
            expiresOn: CivilDate(iso: "2026-12-20")!, autoRenew: false, note: "")
        _ = try await service.importLines([row], by: .operator("test"))
        let code = try await service.issueBindingCode(for: PhoneNumber(e164: number)!, by: .operator("test")).code
        _ = try await service.redeemBindingCode(code, chat: customer)
    }

    /// /renew, then the first option's button: the invoice that comes.
    static func invoice(_ rig: TelegramRig) async throws -> BotAPIDouble.SentInvoice {
        let d = rig.double
        d.injectMessage(chatID: customer, text: "/renew")
        #expect(await rig.waitFor { d.sentMessages(to: customer).contains { !$0.callbackData.isEmpty } })
        let options = try #require(d.sentMessages(to: customer).last { !$0.callbackData.isEmpty })
        d.injectCallback(chatID: customer, messageID: options.messageID, data: options.callbackData[0])
        #expect(await rig.waitFor { !d.sentInvoices(to: customer).isEmpty })
        let invoice = try #require(d.sentInvoices(to: customer).last)
        // The bot records the invoice right after the round that sent it.
        try await waitUntil(rig) { db in try RenewalOrders.order(db, reference: invoice.payload)?.state == .invoiced }
        return invoice
    }

    static func waitUntil(_ rig: TelegramRig, _ condition: @escaping @Sendable (any Connection) throws -> Bool) async throws {
        for _ in 0..<1500 {
            if try await rig.database.read(condition) { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        Issue.record("the condition never held")
    }

    static func renewals(_ database: Database) async throws -> [String] {
        try await database.read { db in try db.query("SELECT detail FROM ledger WHERE reason = 'renewal' ORDER BY id") { $0.string(0) } }
    }

    /// The transcript the note quotes: the option buttons, the invoice, the payment, the confirmation.
    @Test func aRenewalPaidInTheChatIsAppliedOnceAndConfirmed() async throws {
        let rig = try await Self.rig(.provider)
        let d = rig.double
        rig.start()
        let invoice = try await Self.invoice(rig)
        #expect(invoice.currency == "USD" && invoice.totalAmount == 300 && invoice.prices == [.init(label: "30 days", amount: 300)])
        #expect(invoice.providerToken == "284685063:TEST:secret-provider-token")
        #expect(invoice.title == "续费 +1 ••• 0117" && invoice.description.contains("2027-01-19"), "\(invoice.title) / \(invoice.description)")
        guard case .paid(let charge, let providerCharge, let update) = await d.payAsync(chatID: Self.customer, invoiceMessageID: invoice.messageID) else {
            Issue.record("the bot did not accept the checkout")
            return
        }
        #expect(await rig.waitFor { d.sentMessages(to: Self.customer).contains { $0.text.contains("2027-01-19") && $0.text.contains(invoice.payload) } })
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).contains { $0.text.contains("💳") } })
        let order = try #require(try await rig.database.read { db in try RenewalOrders.order(db, reference: invoice.payload) })
        #expect(order.state == .applied && order.telegramChargeID == charge && order.providerChargeID == providerCharge)
        let ledger = try await Self.renewals(rig.database)
        #expect(ledger.count == 1)
        #expect(ledger.first?.contains(charge) == true && ledger.first?.contains(providerCharge) == true, "\(ledger)")
        let expiry = try await rig.database.read { db in try db.queryFirst("SELECT expires_on FROM lines") { $0.string(0) } }
        #expect(expiry == "2027-01-19")

        // Telegram delivers the same payment again: nothing more happens.
        let confirmations = d.sentMessages(to: Self.customer).count
        _ = try #require(d.injectRawDuplicate(ofUpdate: update))
        #expect(await rig.waitFor { d.pendingUpdateCount == 0 })
        try await rig.stop()
        #expect(try await Self.renewals(rig.database).count == 1)
        #expect(d.sentMessages(to: Self.customer).count == confirmations)
        #expect(try await rig.database.read { db in try db.queryFirst("SELECT expires_on FROM lines") { $0.string(0) } } == "2027-01-19")
        #expect(!rig.logs.lines.contains { $0.contains("secret-provider-token") })
        print("payment transcript:\n" + d.sentMessages(to: Self.customer).map { "  bot: \($0.text.prefix(120)) \($0.callbackData)" }.joined(separator: "\n")
            + "\n  invoice: \(invoice.title) / \(invoice.description) / \(invoice.totalAmount) \(invoice.currency) / payload \(invoice.payload)"
            + "\n  operators: " + d.sentMessages(to: Self.operators).map(\.text).joined(separator: " | "))
    }

    @Test func aLineRecycledBeforeThePreCheckoutIsRefused() async throws {
        let rig = try await Self.rig(.provider)
        let d = rig.double
        rig.start()
        let invoice = try await Self.invoice(rig)
        try await rig.database.write { db in try db.execute("UPDATE lines SET expires_on = '2026-08-01'") }  // past grace and recycling
        let result = await d.payAsync(chatID: Self.customer, invoiceMessageID: invoice.messageID)
        guard case .declined(let message) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(message.contains("无法续费"), "\(message)")
        try await Self.waitUntil(rig) { db in try RenewalOrders.order(db, reference: invoice.payload)?.state == .refused }
        try await rig.stop()
        #expect(try await Self.renewals(rig.database).isEmpty)
    }

    @Test func anExpiredOrderIsRefusedAndTheCustomerIsTold() async throws {
        let rig = try await Self.rig(.provider)
        let d = rig.double
        rig.start()
        let invoice = try await Self.invoice(rig)
        rig.clock.advance(seconds: 25 * 3600)
        let result = await d.payAsync(chatID: Self.customer, invoiceMessageID: invoice.messageID)
        guard case .declined(let message) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(message.contains("已过期"), "\(message)")
        #expect(await rig.waitFor { d.sentMessages(to: Self.customer).contains { $0.text.contains("已过期") && $0.text.contains(invoice.payload) } })
        try await Self.waitUntil(rig) { db in try RenewalOrders.order(db, reference: invoice.payload)?.state == .expired }
        try await rig.stop()
    }

    /// Another program holds the database's write lock for 12 s: the pre-checkout is still
    /// answered in time (its own read connection), and the payment is applied once the lock goes.
    @Test func aBusyDatabaseStillAnswersThePreCheckoutInTime() async throws {
        let rig = try await Self.rig(.stars)
        let d = rig.double
        rig.start()
        let invoice = try await Self.invoice(rig)
        #expect(invoice.currency == "XTR" && invoice.totalAmount == 230 && invoice.providerToken == "")
        let locked = Flag(), released = Flag()
        let path = rig.databasePath
        // Another program's write transaction, held for 12 s.
        let holder = Thread {
            guard let held = try? HeldWriteLock(path) else { return }
            locked.value.store(true, ordering: .releasing)
            usleep(12_000_000)
            try? held.release()
            released.value.store(true, ordering: .releasing)
        }
        holder.start()
        #expect(await rig.waitFor(10) { locked.value.load(ordering: .acquiring) })
        guard let query = d.injectPreCheckoutQuery(chatID: Self.customer, invoiceMessageID: invoice.messageID) else {
            Issue.record("no invoice")
            return
        }
        #expect(await rig.waitFor(30) { d.preCheckoutAnswer(query) != nil })
        let answer = try #require(d.preCheckoutAnswer(query))
        #expect(answer.ok && answer.inTime, "\(answer)")
        let stillLocked = !released.value.load(ordering: .acquiring)
        #expect(stillLocked, "answered while the database was still locked")
        d.injectSuccessfulPayment(chatID: Self.customer, payload: invoice.payload, currency: "XTR", totalAmount: 230, telegramChargeID: "stx-busy-1", providerChargeID: "")
        #expect(await rig.waitFor(60) { d.sentMessages(to: Self.customer).contains { $0.text.contains("2027-01-19") } })
        try await rig.stop()
        #expect(try await Self.renewals(rig.database).count == 1)
    }

    /// Stars paid for a line cancelled meanwhile: not applied; the operators refund with one
    /// tap (refundStarPayment), the ledger records it and the customer is told.
    @Test func aPaymentThatCannotBeAppliedIsRefundedWithOneTap() async throws {
        let rig = try await Self.rig(.stars)
        let d = rig.double
        rig.start()
        let invoice = try await Self.invoice(rig)
        guard let query = d.injectPreCheckoutQuery(chatID: Self.customer, invoiceMessageID: invoice.messageID) else {
            Issue.record("no invoice")
            return
        }
        #expect(await rig.waitFor { d.preCheckoutAnswer(query)?.ok == true })
        try await rig.database.write { db in try db.execute("UPDATE lines SET request = 'cancelled'") }
        d.injectSuccessfulPayment(chatID: Self.customer, payload: invoice.payload, currency: "XTR", totalAmount: 230, telegramChargeID: "stx-refund-1", providerChargeID: "")
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).contains { $0.callbackData.contains("rf:" + invoice.payload) } })
        #expect(await rig.waitFor { d.sentMessages(to: Self.customer).contains { $0.text.contains("退款") } })
        let notice = try #require(d.sentMessages(to: Self.operators).first { $0.callbackData.contains("rf:" + invoice.payload) })
        d.injectCallback(chatID: Self.operators, userID: Self.ann, messageID: notice.messageID, data: "rf:" + invoice.payload)
        #expect(await rig.waitFor { d.refunds() == [.init(userID: Self.customer, telegramChargeID: "stx-refund-1")] })
        #expect(await rig.waitFor { d.sentMessages(to: Self.customer).contains { $0.text.contains("已退还") } })
        try await Self.waitUntil(rig) { db in try RenewalOrders.order(db, reference: invoice.payload)?.state == .refunded }
        try await rig.stop()
        #expect(try await Self.renewals(rig.database).isEmpty)
        let refund = try await rig.database.read { db in try db.query("SELECT detail FROM ledger WHERE reason = 'refund'") { $0.string(0) } }
        #expect(refund.count == 1 && refund.first?.contains("stx-refund-1") == true, "\(refund)")
    }

    /// The real `baohao run`, killed with SIGKILL after the payment update reached it and
    /// before its transaction could commit (another program held the write lock), then
    /// restarted: the renewal is applied exactly once and confirmed once.
    @Test func aKillBeforeThePaymentCommitsLosesNothingAndAppliesOnce() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CrashRestartTests.binary))
        let d = try BotAPIDouble()
        d.start()
        defer { d.stop() }
        let (directory, environment) = try CrashRestartTests.botEnvironment(
            double: d, config: #"{"poll_timeout_seconds": 1, "rate_limits": {"enabled": false}, "log_level": "info", "payments": {"mode": "stars"}}"#)
        let databasePath = environment["BAOHAO_DB"]!
        let database = try await Database.open(path: databasePath, migrations: BaohaoSchema.migrations)
        try await Self.bindLine(database, clock: SystemWallClock())
        var pid = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        d.injectMessage(chatID: Self.customer, text: "/renew")
        #expect(d.wait(timeout: 60) { d.sentMessages(to: Self.customer).contains { !$0.callbackData.isEmpty } })
        let options = try #require(d.sentMessages(to: Self.customer).last { !$0.callbackData.isEmpty })
        d.injectCallback(chatID: Self.customer, messageID: options.messageID, data: options.callbackData[0])
        #expect(d.wait(timeout: 60) { !d.sentInvoices(to: Self.customer).isEmpty })
        let invoice = try #require(d.sentInvoices(to: Self.customer).last)
        // Let the bot record the invoice, then hold the write lock so nothing more commits.
        for _ in 0..<600 {
            if try await database.read({ db in try RenewalOrders.order(db, reference: invoice.payload)?.state }) == .invoiced { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let holder = try HeldWriteLock(databasePath)
        let paid = await d.payAsync(chatID: Self.customer, invoiceMessageID: invoice.messageID)
        guard case .paid(let charge, _, _) = paid else {
            Issue.record("the checkout was not accepted: \(paid)")
            kill(pid, SIGKILL)
            return
        }
        // The payment update is fetched (the poll returns at once) and waits on the lock: kill.
        let polls = d.calls("getUpdates").count
        #expect(d.wait(timeout: 10) { d.calls("getUpdates").count > polls })
        usleep(500_000)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try holder.release()
        let before = try await database.read { db in try RenewalOrders.order(db, reference: invoice.payload)?.state }
        #expect(before == .invoiced || before == .prechecked, "nothing of the payment committed before the kill: \(String(describing: before))")
        // Restarted: the update comes again and is applied once.
        pid = try InstanceLockTests.spawn(environment, stderr: directory + "/run2.log")
        #expect(d.wait(timeout: 60) { d.sentMessages(to: Self.customer).contains { $0.text.contains("2027-01-19") } })
        kill(pid, SIGTERM)
        waitpid(pid, &status, 0)
        let order = try await database.read { db in try RenewalOrders.order(db, reference: invoice.payload) }
        #expect(order?.state == .applied && order?.telegramChargeID == charge)
        #expect(try await Self.renewals(database).count == 1)
        #expect(d.sentMessages(to: Self.customer).filter { $0.text.contains("2027-01-19") }.count == 1, "confirmed once")
    }
}
