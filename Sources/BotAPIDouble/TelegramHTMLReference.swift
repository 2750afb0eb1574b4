/// The double's port of TDLib's `parse_html` for checks outside this module, such as the fuzz
/// harnesses that compare the bot's own HTML handling with Telegram's: what a text sent with
/// parse_mode HTML shows, or whether Telegram refuses it.
public enum TelegramHTMLReference {
    /// The text Telegram shows for the UTF-8 text `html` (tags removed, entities decoded, no
    /// whitespace trimmed), or nil when Telegram refuses it ("can't parse entities").
    public static func shownText(_ html: [UInt8]) -> String? {
        switch TelegramHTML.parse(html) {
        case .success(let formatted): formatted.text
        case .failure: nil
        }
    }
}
