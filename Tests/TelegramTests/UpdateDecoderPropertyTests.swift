import BotAPIDouble
import Foundation
import TestSupport
import Testing
@testable import Telegram

/// Seeded: getUpdates bodies with random, missing, mistyped and unknown fields never crash the
/// decoder, and every update with a usable id comes out either decoded or as an id to skip.
/// The bytes decoder agrees with `JSONDecoder` on every body it decodes.
@Suite struct UpdateDecoderPropertyTests {
    typealias Decoded = (updates: [Update], malformed: [Int64])

    static func split(_ raw: [LenientUpdate]) -> Decoded {
        (raw.compactMap(\.update), raw.compactMap { $0.update == nil ? $0.updateID : nil })
    }

    static func decode(_ json: String) -> Decoded? {
        guard let envelope = try? JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: Data(json.utf8)), let raw = envelope.result else { return nil }
        return split(raw)
    }

    /// What the bot's getUpdates does: the bytes decoder, else JSONDecoder.
    static func decodeLikeTheBot(_ json: String) -> Decoded? {
        UpdateBytesDecoder.decode(Array(json.utf8)).map(split) ?? decode(json)
    }

    static func same(_ a: [LenientUpdate], _ b: [LenientUpdate]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.updateID == $1.updateID && $0.update == $1.update }
    }

    /// A getUpdates body of up to four updates with random, missing, mistyped and unknown
    /// fields; `expected` counts those whose update_id comes first and is an integer.
    static func randomBody(_ generator: inout SeededGenerator) -> (body: String, expected: Int) {
        func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        let texts = [
            "\"你好\"", "\"\"", "\"\\u0000\\ud83d\\ude00\"", "\"\(String(repeating: "长", count: 5000))\"", "7", "null", "[]", "{}", "true", "\"<b>\"",
            "\"tab\\tquote\\\" slash\\/ \\u00e9\\u4F60\"", "\"e\u{301} 👍🏽 \u{2028}\"", "-0", "1.0", "1e3", "\"\\ud800\"", "[{\"a\":[null,1.5e-3]}]",
        ]
        let ids = ["1", "-5", "0", "9007199254740993", "\"12\"", "1.5", "null", "{}", "1.0", "1E2", "99999999999999999999", "-0", "true"]
        var items: [String] = []
        var expected = 0
        for n in 0..<Int(generator.next() % 5) {
            let id = pick(ids)
            var fields: [String] = []
            if generator.next() % 8 != 0 { fields.append("\"update_id\": \(id)") }
            let chat = pick(["{\"id\": \(n + 1), \"type\": \"private\"}", "{\"id\": \"x\"}", "null", "{}", "{\"id\": 5, \"type\": \"supergroup\", \"title\": \"g\"}", "[1]", "{\"id\": 5, \"type\": 3}"])
            let from = pick([
                "{\"id\": 9, \"is_bot\": false, \"first_name\": \"A\", \"language_code\": \"zh-hans\"}", "null", "{\"id\": \"9\"}", "{}",
                "{\"id\": 9, \"is_bot\": 0}", "{\"id\": 9, \"username\": null, \"is_premium\": true}",
            ])
            let entities = pick([
                "[{\"type\": \"bot_command\", \"offset\": 0, \"length\": 6}]", "[]", "null", "[null]", "[{\"type\": \"bold\"}]", "{}",
                "[{\"type\": \"url\", \"offset\": 1, \"length\": 2, \"url\": \"x\"}, {\"type\": \"bold\", \"offset\": 0, \"length\": 1}]",
            ])
            // A replied-to message: only its sender is read; anything else in it is skipped.
            let replied = pick([
                "", ", \"reply_to_message\": {\"message_id\": 2, \"from\": \(from), \"chat\": \(chat), \"text\": \(pick(texts))}", ", \"reply_to_message\": null",
                ", \"reply_to_message\": 5", ", \"reply_to_message\": {}", ", \"reply_to_message\": {\"from\": \(from), \"from\": \(from)}",
            ])
            // Media: only which kinds are there (not null) and the caption and album id are read.
            let media = pick([
                "", ", \"photo\": [{\"file_id\": \"a\", \"width\": 90}], \"caption\": \(pick(texts))", ", \"sticker\": {\"emoji\": \"👍\"}",
                ", \"photo\": null", ", \"voice\": 3, \"media_group_id\": \(pick(texts))", ", \"animation\": {}, \"document\": {}",
                ", \"location\": {\"latitude\": 1.5}, \"venue\": []", ", \"caption\": null, \"dice\": \"x\"",
            ])
            switch generator.next() % 4 {
            case 0:
                fields.append(
                    "\"message\": {\"message_id\": \(n), \"chat\": \(chat), \"from\": \(from), \"date\": \(pick(["1", "null", "\"1\""])), \"text\": \(pick(texts)), \"entities\": \(entities), \"x_new\": [1,{}]\(replied)\(media)}")
            case 1: fields.append("\"callback_query\": {\"id\": \(pick(["\"c\(n)\"", "5", "null"])), \"from\": \(from), \"data\": \(pick(texts)), \"message\": {\"message_id\": 3, \"chat\": \(chat)}}")
            case 2:
                fields.append(
                    pick([
                        "\"edited_message\": {\"message_id\": 1}", "\"edited_message\": null",
                        "\"edited_message\": {\"message_id\": \(n), \"chat\": \(chat), \"from\": \(from), \"date\": 1, \"edit_date\": 2, \"text\": \(pick(texts))\(media)}",
                    ]))
            default: fields.append("\"my_chat_member\": \(pick(texts))")
            }
            if generator.next() % 3 == 0 { fields.append("\"unknown_field\": \(pick(texts))") }
            if fields.first?.hasPrefix("\"update_id\"") == true, Int64(id) != nil { expected += 1 }
            items.append("{" + fields.shuffled(using: &generator).joined(separator: ", ") + "}")
        }
        if generator.next() % 6 == 0 { items.append(pick(["7", "null", "\"x\"", "[]"])) }
        return ("{\"ok\": true, \"result\": [" + items.joined(separator: ",") + "]}", expected)
    }

    @Test func randomUpdatesDecodeOrAreSkippedById() {
        var generator = SeededGenerator(seed: 0x0DD)
        for _ in 0..<3_000 {
            let (body, expected) = Self.randomBody(&generator)
            guard let decoded = Self.decodeLikeTheBot(body) else {
                Issue.record("the envelope did not decode: \(body.prefix(300))")
                continue
            }
            #expect(decoded.updates.count + decoded.malformed.count >= expected, "\(body.prefix(300))")
            for update in decoded.updates { #expect(update.message == nil || update.message?.chat.id != nil) }
        }
    }

    @Test func theBytesDecoderAgreesWithJSONDecoderOnEveryBodyItDecodes() throws {
        var generator = SeededGenerator(seed: 0xB17E5)
        var decodedFast = 0, whole = 0, wholeDecodedFast = 0
        for round in 0..<6_000 {
            var body = Array(Self.randomBody(&generator).body.utf8)
            // Half of them mangled: cut short, a byte changed, a byte dropped, or a key repeated.
            if round % 2 == 0 { whole += 1 }
            if round % 2 == 1, !body.isEmpty {
                let at = Int(generator.next() % UInt64(body.count))
                switch generator.next() % 4 {
                case 0: body = Array(body[..<at])
                case 1: body[at] = [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "\\"), 0xFF, 0x01, UInt8(ascii: "9")][Int(generator.next() % 7)]
                case 2: body.remove(at: at)
                default: body = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"ok\": true", with: "\"ok\": true, \"ok\": true").utf8)
                }
            }
            guard let fast = UpdateBytesDecoder.decode(body) else { continue }
            decodedFast += 1
            if round % 2 == 0 { wholeDecodedFast += 1 }
            let text = String(decoding: body, as: UTF8.self)
            let slow = try? JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: Data(body)).result
            guard let slow else {
                Issue.record("decoded by bytes but refused by JSONDecoder: \(text.prefix(400))")
                continue
            }
            #expect(Self.same(fast, slow), "\(text.prefix(400))")
        }
        // Most unmangled bodies are the bytes decoder's (the others hold ids such as 1.0 or 1E2,
        // or a lone surrogate), or the comparison above would prove little.
        #expect(wholeDecodedFast > whole / 2, "only \(wholeDecodedFast) of \(whole) unmangled bodies decoded by bytes")
        #expect(decodedFast > wholeDecodedFast, "no mangled body was decoded by bytes")
    }

    @Test func theBytesDecoderTakesWhatTheBotAPIDoubleSends() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let texts = ["余额多少", "點樣續費呀？", "/start", "quote \" backslash \\ tab \t nul \u{0} line\u{2028}end", "e\u{301}👍🏽🇭🇰", String(repeating: "长", count: 4000)]
        for (i, text) in texts.enumerated() { double.injectMessage(chatID: Int64(100 + i), text: text, languageCode: i % 2 == 0 ? "zh-hans" : nil) }
        double.injectCallback(chatID: 100, messageID: 1000, data: "m:bal")
        let client = HTTPClient(label: "decoder-test")
        let response = try await client.postJSON(url: double.baseURL + "/bot\(double.token)/getUpdates", body: Array(#"{"offset":0,"timeout":0}"#.utf8), timeoutSeconds: 5)
        #expect(response.status == 200)
        let fast = try #require(UpdateBytesDecoder.decode(response.body))
        let slow = try #require(try JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: Data(response.body)).result)
        #expect(Self.same(fast, slow))
        #expect(fast.compactMap(\.update?.message?.text) == texts)
        #expect(fast.last?.update?.callbackQuery?.data == "m:bal")
        #expect(fast.first?.update?.message?.entities == nil)
        #expect(fast[2].update?.message?.entities == [MessageEntity(type: "bot_command", offset: 0, length: 6)])
        #expect(fast[0].update?.message?.from?.languageCode == "zh-hans" && fast[1].update?.message?.from?.languageCode == nil)
    }

    @Test func bodiesTheBytesDecoderLeavesToJSONDecoder() {
        let update = #"{"update_id":5,"message":{"message_id":1,"chat":{"id":2}}}"#
        for body in [
            #"{"ok":false,"error_code":409,"description":"Conflict"}"#,
            #"{"ok":true,"result":[\#(update)],"description":"x"}"#,
            #"{"ok":true,"ok":true,"result":[]}"#,
            #"{"ok":true,"result":[{"update_id":5.0}]}"#,
            #"{"ok":true,"result":[{"update_id":5,"update_id":6}]}"#,
            #"{"ok":true,"result":[\#(update)] x"#,
            #"{"ok":true,"result":[{"update_id":5,"message":{"message_id":1,"chat":{"id":2},"text":"\ud800"}}]}"#,
            #"{"ok":true,"result":[{"update_id":12345678901234567890}]}"#,
        ] {
            #expect(UpdateBytesDecoder.decode(Array(body.utf8)) == nil, "\(body)")
        }
        let fine = #"{"ok":true,"result":[\#(update),7,{"update_id":"6"},{"update_id":8,"message":{"chat":{"id":1}}}]}"#
        let decoded = UpdateBytesDecoder.decode(Array(fine.utf8)).map(Self.split)
        #expect(decoded?.updates.map(\.updateID) == [5])
        #expect(decoded?.malformed == [8])
    }
}
