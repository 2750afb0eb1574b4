import Foundation
import TestSupport
import Testing
@testable import Telegram

/// Seeded: getUpdates bodies with random, missing, mistyped and unknown fields never crash the
/// decoder, and every update with a usable id comes out either decoded or as an id to skip.
@Suite struct UpdateDecoderPropertyTests {
    static func decode(_ json: String) -> (updates: [Update], malformed: [Int64])? {
        guard let envelope = try? JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: Data(json.utf8)), let raw = envelope.result else { return nil }
        return (raw.compactMap(\.update), raw.compactMap { $0.update == nil ? $0.updateID : nil })
    }

    @Test func randomUpdatesDecodeOrAreSkippedById() {
        var generator = SeededGenerator(seed: 0x0DD)
        func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        let texts = ["\"你好\"", "\"\"", "\"\\u0000\\ud83d\\ude00\"", "\"\(String(repeating: "长", count: 5000))\"", "7", "null", "[]", "{}", "true", "\"<b>\""]
        let ids = ["1", "-5", "0", "9007199254740993", "\"12\"", "1.5", "null", "{}"]
        for _ in 0..<3_000 {
            var items: [String] = []
            var expected = 0
            for n in 0..<Int(generator.next() % 5) {
                let id = pick(ids)
                var fields: [String] = []
                if generator.next() % 8 != 0 { fields.append("\"update_id\": \(id)") }
                let chat = pick(["{\"id\": \(n + 1), \"type\": \"private\"}", "{\"id\": \"x\"}", "null", "{}", "{\"id\": 5, \"type\": \"supergroup\", \"title\": \"g\"}"])
                let from = pick(["{\"id\": 9, \"is_bot\": false, \"first_name\": \"A\", \"language_code\": \"zh-hans\"}", "null", "{\"id\": \"9\"}", "{}"])
                switch generator.next() % 4 {
                case 0: fields.append("\"message\": {\"message_id\": \(n), \"chat\": \(chat), \"from\": \(from), \"date\": 1, \"text\": \(pick(texts)), \"x_new\": [1,{}]}")
                case 1: fields.append("\"callback_query\": {\"id\": \"c\(n)\", \"from\": \(from), \"data\": \(pick(texts)), \"message\": {\"message_id\": 3, \"chat\": \(chat)}}")
                case 2: fields.append("\"edited_message\": {\"message_id\": 1}")
                default: fields.append("\"my_chat_member\": \(pick(texts))")
                }
                if generator.next() % 3 == 0 { fields.append("\"unknown_field\": \(pick(texts))") }
                if fields.first?.hasPrefix("\"update_id\"") == true, Int64(id) != nil { expected += 1 }
                items.append("{" + fields.shuffled(using: &generator).joined(separator: ", ") + "}")
            }
            let body = "{\"ok\": true, \"result\": [" + items.joined(separator: ",") + "]}"
            guard let decoded = Self.decode(body) else {
                Issue.record("the envelope did not decode: \(body.prefix(300))")
                continue
            }
            #expect(decoded.updates.count + decoded.malformed.count >= expected, "\(body.prefix(300))")
            for update in decoded.updates { #expect(update.message == nil || update.message?.chat.id != nil) }
        }
    }
}
