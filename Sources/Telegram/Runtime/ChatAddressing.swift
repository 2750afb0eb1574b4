/// Who the bot is on Telegram, from `getMe`: what a message in a group must name to be for it.
public struct BotIdentity: Sendable, Equatable {
    public let id: Int64
    /// Without the "@".
    public let username: String?

    public init(id: Int64, username: String?) {
        self.id = id
        self.username = username
    }
}

/// Whether a message is for the bot. In a private chat (and in the operators' chat) every
/// message is. In a group only what is addressed to it: a command (`/help`, or
/// `/help@thisbot` but not `/help@otherbot`), a message that mentions it (`@thisbot …`),
/// or a reply to one of its messages; chatter between members is none of its business.
/// A channel post never is. Pure.
enum ChatAddressing {
    /// The text the assistant reads for `message` (a mention of the bot taken out), or nil
    /// when the message is not for the bot.
    static func text(of message: TelegramMessage, bot: BotIdentity?, operatorChat: Int64?) -> String? {
        // A caption is read like a text (its mentions come in `caption_entities`, not read yet).
        guard let text = message.text ?? message.caption else { return nil }
        switch message.chat.type {
        case "group", "supergroup": break
        case "channel": return nil
        default: return text  // private (or a type the API adds later: answered as before)
        }
        if message.chat.id == operatorChat { return text }
        let username = bot?.username?.lowercased()
        if text.hasPrefix("/") {
            let command = text.prefix { $0 != " " && $0 != "\n" }
            guard let at = command.firstIndex(of: "@") else { return text }
            guard let username, command[command.index(after: at)...].lowercased() == username else { return nil }
            return String(command[..<at]) + text[command.endIndex...]
        }
        if let bot, message.replyToMessage?.from?.id == bot.id { return text }
        guard let username else { return nil }
        for entity in message.entities ?? [] where entity.type == "mention" {
            let utf16 = text.utf16
            guard entity.offset >= 0, entity.length > 1, entity.offset + entity.length <= utf16.count else { continue }
            let start = utf16.index(utf16.startIndex, offsetBy: entity.offset), end = utf16.index(start, offsetBy: entity.length)
            guard let lower = start.samePosition(in: text), let upper = end.samePosition(in: text) else { continue }
            guard text[lower..<upper].lowercased() == "@" + username else { continue }
            let before = text[..<lower], after = text[upper...]
            let rest = (before + (before.last == " " && after.first == " " ? after.dropFirst() : after)).trimmingPrefix(while: { $0 == " " || $0 == "," || $0 == "，" || $0 == ":" || $0 == "：" })
            let trimmed = String(rest).trimmingSuffixSpaces
            return trimmed.isEmpty ? text : trimmed
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSuffixSpaces: String {
        var s = self
        while s.last == " " || s.last == "\n" { s.removeLast() }
        return s
    }
}
