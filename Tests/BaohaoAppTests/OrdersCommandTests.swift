import BaohaoCore
import FoundationEssentials
import Storage
import Testing
import TestSupport
import Understanding
@testable import BaohaoApp

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// `baohao orders list|show` and `baohao payments refund` for a provider's payment.
@Suite struct OrdersCommandTests {
    /// A database with a line, bound to chat 42, and an order for it paid by card and applied.
    static func database() async throws -> String {
        let path = temporaryDatabase("orders")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let catalogue = try CarrierCatalogueLoader.load(path: repositoryRoot + "/Config/carriers.json")
        let service = SQLiteLineService(database: database, catalogue: catalogue, clock: ManualWallClock("2026-11-22"))
        let row = LineImportRow(
            line: 2, number: PhoneNumber(e164: "+13105550117")!, carrier: "ultra", plan: "paygo", balance: Money(minorUnits: 450, currency: "USD"),
            expiresOn: CivilDate(iso: "2026-12-20")!, autoRenew: false, note: "")
        _ = try await service.importLines([row], by: .operator("test"))
        let now = Instant(iso: "2026-11-22T10:00:00.000Z")!
        let choice = String(decoding: try JSONEncoder().encode(RenewalChoice.option("1m")), as: UTF8.self)
        try await database.write { db in
            try db.execute(
                """
                INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at, state, mode, invoice_amount, invoice_currency,
                    user_id, paid_at, applied_at, telegram_charge_id, provider_charge_id)
                VALUES ('R7-x-1m', 42, '+13105550117', ?, 300, 'USD', 'zh-Hans', ?, 'applied', 'provider', 300, 'USD', 42, ?, ?, 'tg-charge-1', 'prov-charge-1')
                """, choice, now.description, now.description, now.description)
        }
        return path
    }

    func run(_ args: [String], db: String) async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_DB": db, "USER": "ann"]
        _ = FileManager.default.changeCurrentDirectoryPath(repositoryRoot)
        let code = await BaohaoCLI.main(arguments: args, environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    @Test func ordersAreListedAndShown() async throws {
        let db = try await Self.database()
        let (listed, list) = await run(["orders", "list"], db: db)
        #expect(listed == 0)
        #expect(list.out.hasPrefix("R7-x-1m  applied  +1******0117"), "\(list.out)")
        let (shown, show) = await run(["orders", "show", "R7-x-1m"], db: db)
        #expect(shown == 0)
        #expect(show.out.contains("telegram_payment_charge_id tg-charge-1") && show.out.contains("provider_payment_charge_id prov-charge-1"), "\(show.out)")
        let (missing, none) = await run(["orders", "show", "R0"], db: db)
        #expect(missing == ExitCode.dataError && none.err.contains("no order R0"))
        let (badState, bad) = await run(["orders", "list", "--state", "lost"], db: db)
        #expect(badState == ExitCode.usage && bad.err.contains("--state 'lost' is not one of"))
    }

    @Test func aProvidersPaymentIsRecordedAsRefundedOnce() async throws {
        let db = try await Self.database()
        let (noReason, usage) = await run(["payments", "refund", "tg-charge-1"], db: db)
        #expect(noReason == ExitCode.usage && usage.err.contains("--reason"))
        let (code, out) = await run(["payments", "refund", "tg-charge-1", "--reason", "line cancelled by mistake"], db: db)
        #expect(code == 0, "\(out.err)")
        #expect(out.out.contains("refund provider_payment_charge_id prov-charge-1"), "\(out.out)")
        let database = try await Database.open(path: db, migrations: BaohaoSchema.migrations)
        let (state, ledger, notice) = try await database.read { db in
            (
                try RenewalOrders.order(db, reference: "R7-x-1m")?.state,
                try db.query("SELECT detail FROM ledger WHERE reason = 'refund'") { $0.string(0) },
                try Outbox.pending(db).compactMap(\.message).map(\.html)
            )
        }
        #expect(state == .refunded)
        #expect(ledger.count == 1 && ledger[0].contains("tg-charge-1") && ledger[0].contains("prov-charge-1") && ledger[0].contains("line cancelled by mistake"))
        #expect(notice.count == 1 && notice[0].contains("R7-x-1m") && notice[0].contains("已退还"), "\(notice)")
        let (again, twice) = await run(["payments", "refund", "tg-charge-1", "--reason", "again"], db: db)
        #expect(again == ExitCode.dataError && twice.err.contains("is refunded: there is nothing to refund"), "\(twice.err)")
    }
}
