import BaohaoCore
import FuzzDriver
import Understanding

/// Builds a `ButtonPayload` from fuzz bytes within the rules of its encoding: a text field that
/// another field follows holds no ':', no text is empty, quiet hours and a clarifying question's
/// options are not negative, a rollback's base version is not 0 (0 encodes "none"), and a time
/// zone is not named "default". Realistic payloads also keep to the sizes of the bot's values:
/// ids and names of at most 40 ASCII letters, digits and '-_/.', flow ids in base 36 below 10^9,
/// row ids below 10^15, versions below 10^7, at most 8 lead days. Other payloads have fields of
/// up to 70 scalars from a wider alphabet (space, comma, NUL, newline, RTL mark, ZWJ, CJK, emoji;
/// still no ':' where another field follows) and numbers of any size.
struct PayloadMaker {
    /// Whether to keep to the sizes of the values the bot makes.
    let realistic: Bool

    private static let asciiName = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/.".unicodeScalars)
    private static let anyText = asciiName + Array(" ,*+é中😀\u{200F}\u{200D}\u{0}\n".unicodeScalars)
    private static let base36 = Array("0123456789abcdefghijklmnopqrstuvwxyz".unicodeScalars)
    private static let numbers = ["+12125550142", "+13105550117", "+85291234567", "+85261234567", "+447700900123", "+8613812345678"]
        .map { PhoneNumber(e164: $0)! }

    /// A payload of the kind the next byte chooses.
    func payload(_ input: inout FuzzBytes) -> ButtonPayload {
        switch input.int(in: 0...27) {
        case 0: return .menu(input.pick(ButtonPayload.MenuItem.allCases))
        case 1: return .line(purpose(&input), .all)
        case 2: return .line(purpose(&input), .number(number(&input)))
        case 3: return .renewalOrder(number: number(&input), .option(field(&input)))
        case 4: return .renewalOrder(number: number(&input), .amount(minorUnits: input.int64()))
        case 5: return .confirmCancel(flowID: flowID(&input))
        case 6: return .abortCancel(flowID: flowID(&input))
        case 7: return .carrierRegion(flowID: flowID(&input), region: field(&input))
        case 8: return .carrier(flowID: flowID(&input), carrierID: field(&input))
        case 9: return .unbind(number(&input))
        case 10: return .faqEntry(id: lastField(&input))
        case 11: return .faqTopic(lastField(&input))
        case 12: return .clarify(id: input.int64(), input.bool() ? .none : .option(input.int(in: 0...(realistic ? 4 : Int.max))))
        case 13: return .alertSetting(input.bool() ? .on : .off)
        case 14: return .alertSetting(input.bool() ? .leadDays(nil) : .leadDays(leadDays(&input)))
        case 15: return .alertSetting(input.bool() ? .quietOff : .quietHours(startMinute: minute(&input), endMinute: minute(&input)))
        case 16:
            var zone = lastField(&input)
            if zone == "default" { zone += "/x" }
            return .alertSetting(input.bool() ? .timeZone(nil) : .timeZone(zone))
        case 17: return .snoozeAlerts(lineID: input.int64())
        case 18: return .stopAlerts(lineID: input.int64())
        case 19: return .language(input.pick(Language.allCases))
        case 20: return .faqAdmin(input.pick([.cancel, .save, .saveAnyway]))
        case 21: return .faqAdmin(.topic(field(&input)))
        case 22: return .faqAdmin(.delete(id: field(&input), basedOn: version(&input)))
        case 23:
            let basedOn = version(&input)
            return .faqAdmin(.rollback(id: field(&input), to: version(&input), basedOn: basedOn == 0 || input.bool() ? nil : basedOn))
        case 24: return .inbox(.addPhrasings(missID: rowID(&input), entryID: field(&input)))
        case 25: return .inbox(.newEntry(missID: rowID(&input)))
        case 26: return .refundOrder(reference: field(&input))
        default: return .inbox(.ignore(missID: rowID(&input)))
        }
    }

    private func purpose(_ input: inout FuzzBytes) -> LinePurpose { input.pick([.balance, .renew, .cancel]) }

    private func number(_ input: inout FuzzBytes) -> PhoneNumber { input.pick(Self.numbers) }

    /// A text field another field follows: no ':', not empty.
    private func field(_ input: inout FuzzBytes) -> String {
        let text = realistic
            ? input.text(maximumLength: 40, from: Self.asciiName)
            : input.text(maximumLength: 70, from: Self.anyText)
        return text.isEmpty ? "x" : text
    }

    /// The last field of a payload, which may hold ':'.
    private func lastField(_ input: inout FuzzBytes) -> String {
        let text = realistic
            ? input.text(maximumLength: 40, from: Self.asciiName + [":"])
            : input.text(maximumLength: 70, from: Self.anyText + [":"])
        return text.isEmpty ? "x" : text
    }

    private func flowID(_ input: inout FuzzBytes) -> String {
        if realistic { return String(input.int(in: 0...999_999_999), radix: 36) }
        return field(&input)
    }

    private func rowID(_ input: inout FuzzBytes) -> Int64 {
        realistic ? Int64(input.int(in: 0...999_999_999_999_999)) : input.int64()
    }

    private func version(_ input: inout FuzzBytes) -> Int {
        realistic ? input.int(in: 0...9_999_999) : Int(input.int64())
    }

    private func minute(_ input: inout FuzzBytes) -> Int {
        realistic ? input.int(in: 0...1439) : input.int(in: 0...Int.max)
    }

    private func leadDays(_ input: inout FuzzBytes) -> [Int] {
        let count = input.int(in: 1...(realistic ? 8 : 20))
        return (0..<count).map { _ in realistic ? input.int(in: 0...365) : Int(input.int64()) }
    }
}
