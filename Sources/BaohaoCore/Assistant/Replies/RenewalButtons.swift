public import Understanding
import BaohaoSupport

/// How renewal options read on buttons, the same in answers and in reminders.
extension ReplyBook {
    /// "90 days" / "3 months" (a quote's length) in `language`.
    public func renewalLength(_ length: String, _ language: Language) -> String {
        let parts = length.split(separator: " ")
        guard parts.count >= 2, let n = Int(parts[0]) else { return length }
        return label(parts[1].hasPrefix("month") ? .lengthMonths : .lengthDays, language, ["n": String(n)])
    }

    /// A button that orders `quote` for `number`: its label, and a payload the assistant
    /// turns into a renewal order.
    public func renewalButton(_ quote: RenewalQuote, number: PhoneNumber, _ language: Language) -> OutboundButton {
        switch quote.choice {
        case .option(let id):
            return OutboundButton(
                label(.renewOptionButton, language, ["length": renewalLength(quote.length, language), "price": quote.price.display, "expires": quote.newExpiry.description]),
                .renewalOrder(number: number, .option(id)))
        case .amount(let money):
            return OutboundButton(label(.renewTopUpButton, language, ["price": money.display, "expires": quote.newExpiry.description]), .renewalOrder(number: number, .amount(minorUnits: money.minorUnits)))
        }
    }
}
