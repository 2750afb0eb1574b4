#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// getUpdates' successful response decoded straight from its bytes, with no `JSONDecoder`.
/// It gives exactly what `JSONDecoder` gives for `Envelope<[LenientUpdate]>` (every update
/// decoded, or kept as an id to skip, or dropped when it has no id), or nil for any body it
/// does not handle itself: not JSON, not `"ok":true`, a known key twice, an id written with
/// a fraction or an exponent. The caller then decodes that body with `JSONDecoder`.
/// `package`: the FuzzUpdates harness checks it against `JSONDecoder`.
package struct UpdateBytesDecoder {
    /// The result items of `body`, or nil when `JSONDecoder` must decide.
    package static func decode(_ body: [UInt8]) -> [LenientUpdate]? {
        body.withUnsafeBufferPointer { bytes in
            var decoder = UpdateBytesDecoder(bytes: bytes)
            return try? decoder.envelope()
        }
    }

    /// The body is not one this decoder answers for.
    struct Bail: Error {}

    /// What one field held: a value of the type asked for, null, or something else (which
    /// fails the object it is in, as a type mismatch fails `Decodable`).
    enum Field<T> {
        case value(T)
        case null
        case mismatch
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private static let maximumDepth = 128

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: - The Bot API objects

    private mutating func envelope() throws(Bail) -> [LenientUpdate] {
        var result: [LenientUpdate]?, sawOK = false
        try object(depth: 0) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .ok:
                guard !sawOK, case .value(true) = try d.bool() else { throw Bail() }
                sawOK = true
            case .result:
                guard result == nil, try d.peek() == UInt8(ascii: "[") else { throw Bail() }
                var items: [LenientUpdate] = []
                try d.array(depth: 1) { (d: inout Self) throws(Bail) in items.append(try d.item()) }
                result = items
            // An error envelope, or a field of it, in a 200: JSONDecoder decides.
            case .description, .errorCode, .parameters: throw Bail()
            default: try d.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard sawOK, let result, index == bytes.count else { throw Bail() }
        return result
    }

    /// One element of `result`: `update_id` decides whether it can be skipped by id; the
    /// update itself decodes only when every field it reads does.
    private mutating func item() throws(Bail) -> LenientUpdate {
        guard try peek() == UInt8(ascii: "{") else {
            try skipValue(depth: 2)
            return LenientUpdate(updateID: nil, update: nil)
        }
        var id: Field<Int64> = .null, message: Field<TelegramMessage> = .null, callback: Field<CallbackQuery> = .null
        var edited: Field<TelegramMessage> = .null, member: Field<ChatMemberUpdated> = .null
        var seen: Set<Key> = []
        try object(depth: 2) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .updateID, .message, .callbackQuery, .editedMessage, .myChatMember: guard seen.insert(key).inserted else { throw Bail() }
            default: break
            }
            switch key {
            case .updateID: id = try d.int64()
            case .message: message = try d.message(depth: 3)
            case .editedMessage: edited = try d.message(depth: 3)
            case .myChatMember: member = try d.chatMemberUpdated(depth: 3)
            // Payments are rare: JSONDecoder decides.
            case .preCheckoutQuery: throw Bail()
            case .callbackQuery: callback = try d.callbackQuery(depth: 3)
            default: try d.skipValue(depth: 3)
            }
        }
        let updateID: Int64? = if case .value(let v) = id { v } else { nil }
        guard let updateID, let message = message.optional, let callback = callback.optional, let edited = edited.optional, let member = member.optional else {
            return LenientUpdate(updateID: updateID, update: nil)
        }
        return LenientUpdate(
            updateID: updateID, update: Update(updateID: updateID, message: message, callbackQuery: callback, editedMessage: edited, myChatMember: member))
    }

    private mutating func message(depth: Int) throws(Bail) -> Field<TelegramMessage> {
        var id: Field<Int64> = .null, from: Field<TelegramUser> = .null, chat: Field<TelegramChat> = .null
        var date: Field<Int64> = .null, text: Field<String> = .null, entities: Field<[MessageEntity]> = .null
        var replied: Field<RepliedMessage> = .null, caption: Field<String> = .null, mediaGroup: Field<String> = .null
        var media: Set<MessageMedia> = []
        var thread: Field<Int64> = .null, isTopic: Field<Bool> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .media(let kind):
                // Present unless null; what it holds is not read.
                if try d.peek() == UInt8(ascii: "n") {
                    let _: Field<Bool> = try d.null()
                } else {
                    try d.skipValue(depth: depth + 1)
                    media.insert(kind)
                }
            case .caption: caption = try d.string()
            case .mediaGroupID: mediaGroup = try d.string()
            case .messageID: id = try d.int64()
            case .from: from = try d.user(depth: depth + 1)
            case .chat: chat = try d.chat(depth: depth + 1)
            case .date: date = try d.int64()
            case .text: text = try d.string()
            case .entities: entities = try d.entities(depth: depth + 1)
            case .replyToMessage: replied = try d.repliedMessage(depth: depth + 1)
            case .messageThreadID: thread = try d.int64()
            case .successfulPayment: throw Bail()
            case .isTopicMessage: isTopic = try d.bool()
            default: return false
            }
            return true
        } build: {
            guard case .value(let id) = id, case .value(let chat) = chat, let from = from.optional, let date = date.optional,
                let text = text.optional, let entities = entities.optional, let replied = replied.optional, let caption = caption.optional,
                let mediaGroup = mediaGroup.optional, let thread = thread.optional, let isTopic = isTopic.optional
            else { return nil }
            return TelegramMessage(
                messageID: id, from: from, chat: chat, date: date, text: text, entities: entities, replyToMessage: replied, caption: caption,
                mediaGroupID: mediaGroup, media: MessageMedia.allCases.first { media.contains($0) }, messageThreadID: thread, isTopicMessage: isTopic)
        }
    }

    private mutating func repliedMessage(depth: Int) throws(Bail) -> Field<RepliedMessage> {
        var from: Field<TelegramUser> = .null, id: Field<Int64> = .null, text: Field<String> = .null, caption: Field<String> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .from: from = try d.user(depth: depth + 1)
            case .messageID: id = try d.int64()
            case .text: text = try d.string()
            case .caption: caption = try d.string()
            default: return false
            }
            return true
        } build: {
            guard let from = from.optional, let id = id.optional, let text = text.optional, let caption = caption.optional else { return nil }
            return RepliedMessage(messageID: id, from: from, text: text, caption: caption)
        }
    }

    private mutating func chatMemberUpdated(depth: Int) throws(Bail) -> Field<ChatMemberUpdated> {
        var chat: Field<TelegramChat> = .null, from: Field<TelegramUser> = .null, member: Field<ChatMemberUpdated.Member> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .chat: chat = try d.chat(depth: depth + 1)
            case .from: from = try d.user(depth: depth + 1)
            case .newChatMember:
                var status: Field<String> = .null
                member = try d.fields(depth: depth + 1) { (d: inout Self, key) throws(Bail) in
                    guard key == .status else { return false }
                    status = try d.string()
                    return true
                } build: {
                    guard case .value(let status) = status else { return nil }
                    return ChatMemberUpdated.Member(status: status)
                }
            default: return false
            }
            return true
        } build: {
            guard case .value(let chat) = chat, let from = from.optional, case .value(let member) = member else { return nil }
            return ChatMemberUpdated(chat: chat, from: from, newChatMember: member)
        }
    }

    private mutating func callbackQuery(depth: Int) throws(Bail) -> Field<CallbackQuery> {
        var id: Field<String> = .null, from: Field<TelegramUser> = .null, message: Field<TelegramMessage> = .null, data: Field<String> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .id: id = try d.string()
            case .from: from = try d.user(depth: depth + 1)
            case .message: message = try d.message(depth: depth + 1)
            case .data: data = try d.string()
            default: return false
            }
            return true
        } build: {
            guard case .value(let id) = id, case .value(let from) = from, let message = message.optional, let data = data.optional else { return nil }
            return CallbackQuery(id: id, from: from, message: message, data: data)
        }
    }

    private mutating func user(depth: Int) throws(Bail) -> Field<TelegramUser> {
        var id: Field<Int64> = .null, isBot: Field<Bool> = .null, firstName: Field<String> = .null
        var username: Field<String> = .null, language: Field<String> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .id: id = try d.int64()
            case .isBot: isBot = try d.bool()
            case .firstName: firstName = try d.string()
            case .username: username = try d.string()
            case .languageCode: language = try d.string()
            default: return false
            }
            return true
        } build: {
            guard case .value(let id) = id, let isBot = isBot.optional, let firstName = firstName.optional, let username = username.optional,
                let language = language.optional
            else { return nil }
            return TelegramUser(id: id, isBot: isBot, firstName: firstName, username: username, languageCode: language)
        }
    }

    private mutating func chat(depth: Int) throws(Bail) -> Field<TelegramChat> {
        var id: Field<Int64> = .null, type: Field<String> = .null
        return try fields(depth: depth) { (d: inout Self, key) throws(Bail) in
            switch key {
            case .id: id = try d.int64()
            case .type: type = try d.string()
            default: return false
            }
            return true
        } build: {
            guard case .value(let id) = id, let type = type.optional else { return nil }
            return TelegramChat(id: id, type: type)
        }
    }

    private mutating func entities(depth: Int) throws(Bail) -> Field<[MessageEntity]> {
        switch try peek() {
        case UInt8(ascii: "n"): return try null()
        case UInt8(ascii: "["): break
        default:
            try skipValue(depth: depth)
            return .mismatch
        }
        var items: [MessageEntity] = [], failed = false
        try array(depth: depth) { (d: inout Self) throws(Bail) in
            var type: Field<String> = .null, offset: Field<Int64> = .null, length: Field<Int64> = .null
            let entity: Field<MessageEntity> = try d.fields(depth: depth + 1) { (d: inout Self, key) throws(Bail) in
                switch key {
                case .type: type = try d.string()
                case .offset: offset = try d.int64()
                case .length: length = try d.int64()
                default: return false
                }
                return true
            } build: {
                guard case .value(let type) = type, case .value(let offset) = offset, case .value(let length) = length else { return nil }
                return MessageEntity(type: type, offset: Int(offset), length: Int(length))
            }
            // An element must be an entity: null or anything else fails the array.
            if case .value(let e) = entity { items.append(e) } else { failed = true }
        }
        return failed ? .mismatch : .value(items)
    }

    /// An object whose known keys `read` takes (returning false for the others, which are
    /// skipped), built by `build` (nil: a required field is missing or mistyped). Null gives
    /// `.null`; a value of another type, `.mismatch`. A known key twice: `Bail`.
    private mutating func fields<T>(
        depth: Int, _ read: (inout Self, Key) throws(Bail) -> Bool, build: () -> T?
    ) throws(Bail) -> Field<T> {
        switch try peek() {
        case UInt8(ascii: "n"): return try null()
        case UInt8(ascii: "{"): break
        default:
            try skipValue(depth: depth)
            return .mismatch
        }
        var seen: Set<Key> = []
        try object(depth: depth) { (d: inout Self, key) throws(Bail) in
            if key != .other { guard seen.insert(key).inserted else { throw Bail() } }
            if try !read(&d, key) { try d.skipValue(depth: depth + 1) }
        }
        return build().map { .value($0) } ?? .mismatch
    }

    // MARK: - Keys

    /// The object keys this decoder reads; every other key is `.other`.
    enum Key: Hashable {
        case ok, result, description, errorCode, parameters
        case updateID, message, callbackQuery, editedMessage, myChatMember, preCheckoutQuery
        case messageID, from, chat, date, text, entities, replyToMessage, caption, mediaGroupID, messageThreadID, isTopicMessage, successfulPayment
        case media(MessageMedia)
        case id, isBot, firstName, username, languageCode, type, data, offset, length, newChatMember, status
        case other

        static let table: [(StaticString, Key)] = [
            ("ok", .ok), ("result", .result), ("description", .description), ("error_code", .errorCode), ("parameters", .parameters),
            ("update_id", .updateID), ("message", .message), ("callback_query", .callbackQuery), ("edited_message", .editedMessage), ("my_chat_member", .myChatMember), ("pre_checkout_query", .preCheckoutQuery),
            ("successful_payment", .successfulPayment), ("message_id", .messageID),
            ("message_thread_id", .messageThreadID), ("is_topic_message", .isTopicMessage),
            ("from", .from), ("chat", .chat), ("date", .date), ("text", .text), ("entities", .entities), ("reply_to_message", .replyToMessage), ("caption", .caption),
            ("media_group_id", .mediaGroupID), ("photo", .media(.photo)), ("animation", .media(.animation)), ("video", .media(.video)),
            ("video_note", .media(.videoNote)), ("voice", .media(.voice)), ("audio", .media(.audio)), ("document", .media(.document)),
            ("sticker", .media(.sticker)), ("venue", .media(.venue)), ("location", .media(.location)), ("contact", .media(.contact)),
            ("poll", .media(.poll)), ("dice", .media(.dice)), ("id", .id),
            ("is_bot", .isBot), ("first_name", .firstName), ("username", .username), ("language_code", .languageCode),
            ("type", .type), ("data", .data), ("offset", .offset), ("length", .length), ("new_chat_member", .newChatMember), ("status", .status),
        ]

        /// The key spelled by `raw` (its bytes between the quotes, with no escapes).
        static func named(_ raw: UnsafeBufferPointer<UInt8>) -> Key {
            for (name, key) in table where name.utf8CodeUnitCount == raw.count {
                if memcmp(name.utf8Start, raw.baseAddress!, raw.count) == 0 { return key }
            }
            return .other
        }
    }

    // MARK: - JSON

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func peek() throws(Bail) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw Bail() }
        return bytes[index]
    }

    /// Calls `body` at each value of the object here, after its key.
    private mutating func object(depth: Int, _ body: (inout Self, Key) throws(Bail) -> Void) throws(Bail) {
        guard depth < Self.maximumDepth, try peek() == UInt8(ascii: "{") else { throw Bail() }
        index += 1
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw Bail() }
            let key = try rawKey()
            guard try peek() == UInt8(ascii: ":") else { throw Bail() }
            index += 1
            try body(&self, key)
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw Bail()
            }
        }
    }

    /// Calls `body` at each element of the array here.
    private mutating func array(depth: Int, _ body: (inout Self) throws(Bail) -> Void) throws(Bail) {
        guard depth < Self.maximumDepth, try peek() == UInt8(ascii: "[") else { throw Bail() }
        index += 1
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try body(&self)
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw Bail()
            }
        }
    }

    /// A key with no escapes in it (the Bot API's never have one).
    private mutating func rawKey() throws(Bail) -> Key {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { throw Bail() }
            index += 1
        }
        guard index < bytes.count else { throw Bail() }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        // Keys that are not valid UTF-8 are JSONDecoder's to judge.
        if raw.contains(where: { $0 >= 0x80 }) {
            guard String(validating: raw, as: UTF8.self) != nil else { throw Bail() }
            return .other
        }
        return Key.named(raw)
    }

    private mutating func null<T>() throws(Bail) -> Field<T> {
        try literal("null")
        return .null
    }

    private mutating func literal(_ word: StaticString) throws(Bail) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0 else { throw Bail() }
        index += count
    }

    private mutating func bool() throws(Bail) -> Field<Bool> {
        switch try peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return .value(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .value(false)
        case UInt8(ascii: "n"): return try null()
        default:
            try skipValue(depth: 0)
            return .mismatch
        }
    }

    /// An integer written without a fraction or exponent, within Int64; any other number bails.
    private mutating func int64() throws(Bail) -> Field<Int64> {
        let first = try peek()
        guard first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else {
            if first == UInt8(ascii: "n") { return try null() }
            try skipValue(depth: 0)
            return .mismatch
        }
        let start = index
        let negative = first == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { throw Bail() }
        // No leading zeros ("0" alone is fine), at most 18 digits: well inside Int64.
        if bytes[index] == 0x30, index + 1 < bytes.count, bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x39 { throw Bail() }
        var value: Int64 = 0, digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            digits += 1
            guard digits <= 18 else { throw Bail() }
            value = value * 10 + Int64(bytes[index] - 0x30)
            index += 1
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            index = start
            throw Bail()
        }
        return .value(negative ? -value : value)
    }

    private mutating func string() throws(Bail) -> Field<String> {
        switch try peek() {
        case UInt8(ascii: "\""): return .value(try stringValue())
        case UInt8(ascii: "n"): return try null()
        default:
            try skipValue(depth: 0)
            return .mismatch
        }
    }

    /// The string literal here: valid UTF-8, escapes decoded (a lone surrogate bails).
    private mutating func stringValue() throws(Bail) -> String {
        index += 1
        let start = index
        var escaped = false
        while true {
            guard index < bytes.count else { throw Bail() }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw Bail() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
            } else {
                index += 1
            }
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<min(index, bytes.count)])
        index += 1
        if !escaped {
            guard let text = String(validating: raw, as: UTF8.self) else { throw Bail() }
            return text
        }
        return try Self.unescape(raw)
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws(Bail) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\") else {
                out.append(raw[i])
                i += 1
                continue
            }
            do { i = try JSONEscape.decode(raw, letter: i + 1, into: &out) } catch { throw Bail() }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Bail() }
        return text
    }

    /// Consumes one value of any type, checking that it is JSON.
    private mutating func skipValue(depth: Int) throws(Bail) {
        guard depth < Self.maximumDepth else { throw Bail() }
        switch try peek() {
        case UInt8(ascii: "{"): try object(depth: depth) { (d: inout Self, _) throws(Bail) in try d.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array(depth: depth) { (d: inout Self) throws(Bail) in try d.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try stringValue()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    /// RFC 8259's number grammar.
    private mutating func skipNumber() throws(Bail) {
        func digits(_ d: inout Self) -> Int {
            let start = d.index
            while d.index < d.bytes.count, d.bytes[d.index] >= 0x30, d.bytes[d.index] <= 0x39 { d.index += 1 }
            return d.index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingZero = index < bytes.count && bytes[index] == 0x30
        let whole = digits(&self)
        guard whole > 0, !(leadingZero && whole > 1) else { throw Bail() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw Bail() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw Bail() }
        }
    }
}

extension UpdateBytesDecoder.Field {
    /// The value of an optional field: nil for null, nil-of-nil (failure) for a mismatch.
    var optional: T?? {
        switch self {
        case .value(let v): .some(v)
        case .null: .some(nil)
        case .mismatch: nil
        }
    }
}
