import Storage
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// A picked renewal option becomes an invoice when payments are on, whichever button it came
/// from (a renewal answer or an expiry reminder, which carry the same payload); the link stays
/// when they are off or the option has no price in the mode.
@Suite struct InvoiceDialogueTests {
    static let option = ButtonPayload.renewalOrder(number: PhoneNumber(e164: "+13105550117")!, .option("3m")).encoded

    func invoices(_ outputs: [Outbound]) -> [InvoiceRequest] { outputs.compactMap { if case .invoice(let i) = $0 { i } else { nil } } }

    @Test func starsModeInvoicesTheOptionsStarsPrice() async throws {
        let d = try await Dialogue(paymentMode: .stars)
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-12-20", boundTo: 42)
        // The reminder's renew button and the renewal answer's carry this payload.
        let quote = try #require(try await d.database.read { db in try LineSession(db: db, catalogue: ShippedAssistantData.catalogue, now: d.clock.now()).quote(PhoneNumber(e164: "+13105550117")!, visibleTo: .chat(42)) }.first { $0.choice == .option("3m") })
        #expect(ShippedAssistantData.replies.renewalButton(quote, number: PhoneNumber(e164: "+13105550117")!, .zhHans).payload == Self.option)
        let pressed = try await d.press(payload: Self.option)
        let invoice = try #require(invoices(pressed.outputs).first)
        #expect(invoice.currency == "XTR" && invoice.amount == 690 && invoice.chatID == 42)
        #expect(invoice.title == "续费 +1 ••• 0117" && invoice.description.contains("2027-03-20"), "\(invoice.description)")
        let order = try await d.database.read { db in try RenewalOrders.order(db, reference: invoice.reference) }
        #expect(order?.state == .created && order?.invoiceAmount == 690 && order?.invoiceCurrency == "XTR" && order?.mode == "stars")
        #expect(order?.expiresAt == d.clock.now().adding(seconds: 24 * 3600))
    }

    @Test func withPaymentsOffTheLinkStays() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-12-20", boundTo: 42)
        let pressed = try await d.press(payload: Self.option)
        #expect(invoices(pressed.outputs).isEmpty)
        #expect(pressed.text.contains("https://pay.example.com/o/"), "\(pressed.text)")
    }
}
