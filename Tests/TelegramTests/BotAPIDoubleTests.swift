import Foundation
import Glibc
import Testing
@testable import BotAPIDouble

// MARK: - A tiny blocking HTTP/1.1 client (keep-alive, Content-Length bodies)

struct TestResponse: Sendable {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    let body: String

    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
    var description: String? { object["description"] as? String }
    var result: Any? { object["result"] }
    var resultObject: [String: Any] { result as? [String: Any] ?? [:] }
    var resultArray: [[String: Any]] { result as? [[String: Any]] ?? [] }
}

final class TestClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, receiveTimeout: Int = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connect(errno) }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ClientError.connect(code)
        }
    }

    deinit { close(fd) }

    enum ClientError: Error { case connect(Int32) }

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return }
            sent += result
        }
    }

    /// Request bytes for `path` with a JSON (or other) body.
    static func requestText(
        _ path: String, body: String? = nil, contentType: String = "application/json", method: String? = nil,
        headers: [String] = []
    ) -> String {
        var text = "\(method ?? (body == nil ? "GET" : "POST")) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { text += header + "\r\n" }
        if let body {
            text += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        } else {
            text += "\r\n"
        }
        return text
    }

    func request(
        _ path: String, body: String? = nil, contentType: String = "application/json", headers: [String] = []
    ) -> TestResponse? {
        write(Self.requestText(path, body: body, contentType: contentType, headers: headers))
        return readResponse()
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The next response (a 1xx interim response too); nil when the connection closed first.
    func readResponse() -> TestResponse? {
        var headerEnd: Int?
        while headerEnd == nil {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4)
                where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                    headerEnd = index
                    break
                }
            }
            if headerEnd == nil && !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = Int(statusLine[1]) ?? -1
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headerEnd! + 4
        while buffer.count < bodyStart + length {
            if !fill() { return nil }
        }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        buffer.removeFirst(bodyStart + length)
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// True when the server closed the connection (nothing more to read).
    func isClosedByPeer() -> Bool {
        buffer.isEmpty && !fill()
    }
}

/// Runs blocking work on its own thread; `value(timeout:)` waits for the result.
final class Background<T: Sendable>: @unchecked Sendable {  // `result` is only touched under `condition`
    private let condition = NSCondition()
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        Thread { [self] in
            let value = body()
            condition.lock()
            result = value
            condition.broadcast()
            condition.unlock()
        }.start()
    }

    func value(timeout: Double) -> T? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while result == nil {
            if !condition.wait(until: deadline) { break }
        }
        return result
    }
}

/// JSON text for a request body.
func json(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

// MARK: - Tests

@Suite struct BotAPIDoubleTests {
    let token = "123456:TEST-token"

    func makeDouble() throws -> BotAPIDouble {
        let double = try BotAPIDouble()
        double.start()
        return double
    }

    /// One call on a fresh connection.
    func call(_ double: BotAPIDouble, _ method: String, _ body: [String: Any]? = nil) throws -> TestResponse {
        let client = try TestClient(port: double.port)
        let response = client.request("/bot\(token)/\(method)", body: body.map(json))
        return try #require(response)
    }

    func waitingPollExists(_ double: BotAPIDouble) -> Bool {
        double.wait(timeout: 15) { double.lock.withLock { double.state.activePoll != nil } }
    }

    @Test func getMeAnswersTheBotUser() throws {
        let double = try makeDouble()
        defer { double.stop() }
        #expect(double.baseURL == "http://127.0.0.1:\(double.port)")
        #expect(double.port > 0)
        let response = try call(double, "getMe")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.body == """
            {"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Baohao","username":"BaohaoBot",\
            "can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}
            """)
        // Method names are case-insensitive.
        #expect(try call(double, "GETME").status == 200)
        #expect(double.calls("getMe").count == 2)
        #expect(double.calls().map(\.method) == ["getme", "getme"])
    }

    @Test func wrongTokenIs401AndBadPathsAre404() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        let unauthorized = try #require(client.request("/bot999:wrong/getMe"))
        #expect(unauthorized.status == 401)
        #expect(unauthorized.body == #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#)
        let notFound = #"{"ok":false,"error_code":404,"description":"Not Found"}"#
        for path in ["/botnotatoken/getMe", "/bot\(token)/noSuchMethod", "/", "/getMe", "/bot\(token)/", "/bot\(token)/getMe/extra"] {
            let response = try #require(client.request(path))
            #expect(response.status == 404, "\(path)")
            #expect(response.body == notFound, "\(path)")
        }
        #expect(double.calls().map(\.httpStatus) == [401, 404, 404, 404, 404, 404, 404])
    }

    @Test func getUpdatesReturnsInjectedMessagesAndConfirmsByOffset() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let first = double.injectMessage(chatID: 42, text: "/start abc")
        let second = double.injectMessage(chatID: 42, text: "你好")
        #expect(second == first + 1)
        #expect(double.pendingUpdateCount == 2)

        let response = try call(double, "getUpdates", ["timeout": 0])
        #expect(response.status == 200)
        let dates = response.body.matches(of: /"date":(\d+)/).map { String($0.output.1) }
        #expect(dates.count == 2)
        let expected = """
            {"ok":true,"result":[\
            {"update_id":\(first),"message":{"message_id":1,"from":{"id":42,"is_bot":false,"first_name":"User 42",\
            "language_code":"zh-hans"},"chat":{"id":42,"type":"private","first_name":"User 42"},"date":\(dates[0]),\
            "text":"/start abc","entities":[{"offset":0,"length":6,"type":"bot_command"}]}},\
            {"update_id":\(second),"message":{"message_id":2,"from":{"id":42,"is_bot":false,"first_name":"User 42",\
            "language_code":"zh-hans"},"chat":{"id":42,"type":"private","first_name":"User 42"},"date":\(dates[1]),\
            "text":"你好"}}]}
            """
        #expect(response.body == expected)

        // Unconfirmed updates come again.
        #expect(try call(double, "getUpdates").resultArray.count == 2)
        // offset = first + 1 confirms the first only.
        let rest = try call(double, "getUpdates", ["offset": first + 1])
        #expect(rest.resultArray.map { $0["update_id"] as? Int64 } == [second])
        #expect(double.pendingUpdateCount == 1)
        #expect(double.confirmedOffset == first + 1)
        // offset = second + 1 confirms everything.
        let none = try call(double, "getUpdates", ["offset": second + 1])
        #expect(none.body == #"{"ok":true,"result":[]}"#)
        #expect(double.pendingUpdateCount == 0)
        #expect(double.confirmedOffset == second + 1)
        // An offset far in the future is ignored.
        double.injectMessage(chatID: 42, text: "third")
        let future = try call(double, "getUpdates", ["offset": second + 1000])
        #expect(future.resultArray.count == 1)
        #expect(double.confirmedOffset == second + 1)
    }

    @Test func parametersComeFromQueryAndFormBodiesToo() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        let viaQuery = try #require(client.request("/bot\(token)/sendMessage?chat_id=7&text=%E4%BD%A0%E5%A5%BD+there"))
        #expect(viaQuery.status == 200)
        let viaForm = try #require(client.request(
            "/bot\(token)/sendMessage", body: "chat_id=7&text=a%26b&reply_markup=%7B%22inline_keyboard%22%3A%5B%5B%7B%22text%22%3A%22x%22%2C%22callback_data%22%3A%22d%22%7D%5D%5D%7D",
            contentType: "application/x-www-form-urlencoded"))
        #expect(viaForm.status == 200)
        let sent = double.sentMessages(to: 7)
        #expect(sent.map(\.text) == ["你好 there", "a&b"])
        #expect(sent[1].callbackData == ["d"])
        #expect(sent[1].replyMarkupJSON == #"{"inline_keyboard":[[{"text":"x","callback_data":"d"}]]}"#)
        // Non-string JSON values are recorded as JSON text.
        _ = try call(double, "sendMessage", ["chat_id": 7, "text": "x", "disable_notification": true])
        let parameters = double.calls("sendMessage").last?.parameters
        #expect(parameters == ["chat_id": "7", "text": "x", "disable_notification": "true"])
    }

    @Test func longPollReturnsAsSoonAsAMessageArrives() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let port = double.port, token = token
        let started = Date()
        let poll = Background { () -> TestResponse? in
            guard let client = try? TestClient(port: port) else { return nil }
            return client.request("/bot\(token)/getUpdates", body: #"{"timeout":30}"#)
        }
        #expect(waitingPollExists(double))
        let injected = Background { double.injectMessage(chatID: 5, text: "hello") }
        let updateID = try #require(injected.value(timeout: 5))
        let response = try #require(poll.value(timeout: 10) ?? nil)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(response.status == 200)
        #expect(response.resultArray.map { $0["update_id"] as? Int64 } == [updateID])
        #expect((response.resultArray.first?["message"] as? [String: Any])?["text"] as? String == "hello")
    }

    @Test func aNewerLongPollTerminatesTheOlderWith409() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let port = double.port, token = token
        let older = Background { () -> TestResponse? in
            guard let client = try? TestClient(port: port) else { return nil }
            return client.request("/bot\(token)/getUpdates", body: #"{"timeout":30}"#)
        }
        #expect(waitingPollExists(double))
        let newer = Background { () -> TestResponse? in
            guard let client = try? TestClient(port: port) else { return nil }
            return client.request("/bot\(token)/getUpdates", body: #"{"timeout":30}"#)
        }
        let terminated = try #require(older.value(timeout: 10) ?? nil)
        #expect(terminated.status == 409)
        #expect(terminated.body == """
            {"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; \
            make sure that only one bot instance is running"}
            """)
        #expect(double.pollersTerminatedByConflict == 1)
        // The newer one is still waiting and gets the next update.
        let updateID = double.injectMessage(chatID: 9, text: "later")
        let answered = try #require(newer.value(timeout: 10) ?? nil)
        #expect(answered.status == 200)
        #expect(answered.resultArray.map { $0["update_id"] as? Int64 } == [updateID])
        #expect(double.calls("getUpdates").map(\.httpStatus) == [409, 200])
    }

    @Test func aLongPollWhoseClientHungUpIsNotAConflict() throws {
        let double = try makeDouble()
        defer { double.stop() }
        do {
            let abandoned = try TestClient(port: double.port)
            abandoned.write(TestClient.requestText("/bot\(token)/getUpdates", body: #"{"timeout":30}"#))
            #expect(waitingPollExists(double))
        }  // the client closes its socket here
        let port = double.port, token = token
        let next = Background { () -> TestResponse? in
            guard let client = try? TestClient(port: port) else { return nil }
            return client.request("/bot\(token)/getUpdates", body: #"{"timeout":30}"#)
        }
        #expect(double.wait(timeout: 5) { double.calls("getUpdates").count == 1 })
        #expect(waitingPollExists(double))
        let updateID = double.injectMessage(chatID: 8, text: "still here")
        let answered = try #require(next.value(timeout: 10) ?? nil)
        #expect(answered.resultArray.map { $0["update_id"] as? Int64 } == [updateID])
        #expect(double.pollersTerminatedByConflict == 0)
        #expect(double.calls("getUpdates").map(\.httpStatus) == [0, 200])
    }

    @Test func stopWakesAWaitingLongPollAndClosesThePort() throws {
        let double = try makeDouble()
        let port = double.port, token = token
        let poll = Background { () -> Int in
            guard let client = try? TestClient(port: port) else { return -2 }
            return client.request("/bot\(token)/getUpdates", body: #"{"timeout":50}"#)?.status ?? -1
        }
        #expect(waitingPollExists(double))
        let started = Date()
        double.stop()
        double.stop()  // idempotent
        let status = try #require(poll.value(timeout: 10))
        #expect(status == 200 || status == -1)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(throws: TestClient.ClientError.self) { _ = try TestClient(port: port) }
    }

    @Test func sendMessageSucceedsAndRecordsWhatWasSent() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let userMessage = double.injectMessage(chatID: 77, text: "hi")
        #expect(userMessage > 0)
        let markup: [String: Any] = ["inline_keyboard": [[["text": "續期", "callback_data": "r:12m"], ["text": "官網", "url": "https://example.com"]], [["text": "取消", "callback_data": "c"]]]]
        let response = try call(double, "sendMessage", [
            "chat_id": 77, "text": "<b>你好</b> &amp; welcome", "parse_mode": "HTML", "reply_markup": markup,
            "reply_parameters": ["message_id": 1], "link_preview_options": ["is_disabled": true],
        ])
        #expect(response.status == 200)
        let message = response.resultObject
        #expect(message["message_id"] as? Int == 1000)
        #expect(message["text"] as? String == "你好 & welcome")
        #expect((message["chat"] as? [String: Any])?["id"] as? Int == 77)
        #expect((message["from"] as? [String: Any])?["is_bot"] as? Bool == true)
        let entities = message["entities"] as? [[String: Any]]
        #expect(entities?.count == 1)
        #expect(entities?.first?["type"] as? String == "bold")
        #expect(entities?.first?["length"] as? Int == 2)

        let second = try call(double, "sendMessage", ["chat_id": 77, "text": "plain", "disable_web_page_preview": true])
        #expect(second.resultObject["message_id"] as? Int == 1001)
        let other = try call(double, "sendMessage", ["chat_id": 78, "text": "x"])
        #expect(other.resultObject["message_id"] as? Int == 1000)

        let sent = double.sentMessages(to: 77)
        #expect(sent.count == 2)
        #expect(sent[0] == BotAPIDouble.SentMessage(
            messageID: 1000, chatID: 77, text: "<b>你好</b> &amp; welcome", parseMode: "HTML",
            replyMarkupJSON: #"{"inline_keyboard":[[{"callback_data":"r:12m","text":"續期"},{"text":"官網","url":"https://example.com"}],[{"callback_data":"c","text":"取消"}]]}"#,
            callbackData: ["r:12m", "c"], replyToMessageID: 1, disableLinkPreview: true, isEdit: false))
        #expect(sent[1].disableLinkPreview)
        #expect(sent[1].replyMarkupJSON == nil)
        #expect(double.sentMessages().map(\.chatID) == [77, 77, 78])
    }

    @Test(arguments: [
        // (parameters, status, description)
        (#"{"chat_id":1}"#, 400, "Bad Request: message text is empty"),
        (#"{"chat_id":1,"text":""}"#, 400, "Bad Request: message text is empty"),
        (#"{"chat_id":1,"text":" \n\t "}"#, 400, "Bad Request: text must be non-empty"),
        (#"{"chat_id":1,"text":"<b> </b>","parse_mode":"HTML"}"#, 400, "Bad Request: text must be non-empty"),
        (#"{"chat_id":1,"text":"x","parse_mode":"html5"}"#, 400, "Bad Request: unsupported parse_mode"),
        (#"{"chat_id":1,"text":"<div>x</div>","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0"#),
        (#"{"chat_id":1,"text":"余额 <DIV>x","parse_mode":"html"}"#, 400,
         #"Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 7"#),
        (#"{"chat_id":1,"text":"a < b","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2"#),
        (#"{"chat_id":1,"text":"<b>bold <i>x</b></i>","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Unmatched end tag at byte offset 12, expected "</i>", found "</b>""#),
        (#"{"chat_id":1,"text":"<b>unclosed","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b""#),
        (#"{"chat_id":1,"text":"x</b>","parse_mode":"HTML"}"#, 400,
         "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"),
        (#"{"chat_id":1,"text":"<span>x</span>","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0"#),
        (#"{"chat_id":1,"text":"x","reply_markup":"{not json"}"#, 400, "Bad Request: can't parse reply keyboard markup JSON object"),
        (#"{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"only text"}]]}}"#, 400,
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        (#"{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"t","callback_data":""}]]}}"#, 400,
         "Bad Request: BUTTON_DATA_INVALID"),
        (#"{"chat_id":1,"text":"x","reply_parameters":{"message_id":555}}"#, 400, "Bad Request: message to be replied not found"),
        (#"{"text":"x"}"#, 400, "Bad Request: chat_id is empty"),
        // Formatting errors come before chat checks, even for a chat that does not exist.
        (#"{"chat_id":"@nochannel","text":"<x>","parse_mode":"HTML"}"#, 400,
         #"Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 0"#),
    ])
    func sendMessageValidation(parameters: String, status: Int, description: String) throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        let response = try #require(client.request("/bot\(token)/sendMessage", body: parameters))
        #expect(response.status == status)
        #expect(response.description == description)
        #expect(response.object["ok"] as? Bool == false)
        #expect(response.object["error_code"] as? Int == status)
        #expect(double.sentMessages().isEmpty)
        #expect(double.calls("sendMessage").map(\.httpStatus) == [status])
    }

    @Test func lengthLimitsCountCodePointsAfterParsing() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let cjk4096 = String(repeating: "字", count: 4096)
        #expect(try call(double, "sendMessage", ["chat_id": 1, "text": cjk4096]).status == 200)
        let tooLong = try call(double, "sendMessage", ["chat_id": 1, "text": cjk4096 + "字"])
        #expect(tooLong.status == 400)
        #expect(tooLong.description == "Bad Request: message is too long")
        // Emoji outside the BMP are one code point each (two UTF-16 units).
        #expect(try call(double, "sendMessage", ["chat_id": 1, "text": String(repeating: "😀", count: 4096)]).status == 200)
        // Tags and entities do not count; surrounding whitespace is trimmed.
        let tagged = "  <b>" + String(repeating: "&lt;", count: 4000) + "</b>" + String(repeating: "中", count: 96) + "\n\n"
        let parsed = try call(double, "sendMessage", ["chat_id": 1, "text": tagged, "parse_mode": "HTML"])
        #expect(parsed.status == 200)
        #expect((parsed.resultObject["text"] as? String)?.unicodeScalars.count == 4096)
        // Over 32768 bytes raw: text is too long, whatever the parsed length.
        let huge = try call(double, "sendMessage", ["chat_id": 1, "text": String(repeating: "a", count: 32_769)])
        #expect(huge.description == "Bad Request: text is too long")
        #expect(double.sentMessages().count == 3)
    }

    @Test func callbackDataIsLimitedTo64Bytes() throws {
        let double = try makeDouble()
        defer { double.stop() }
        func send(_ data: String) throws -> TestResponse {
            try call(double, "sendMessage", [
                "chat_id": 3, "text": "pick", "reply_markup": ["inline_keyboard": [[["text": "b", "callback_data": data]]]],
            ])
        }
        #expect(try send(String(repeating: "a", count: 64)).status == 200)
        let overASCII = try send(String(repeating: "a", count: 65))
        #expect(overASCII.status == 400)
        #expect(overASCII.description == "Bad Request: BUTTON_DATA_INVALID")
        #expect(try send(String(repeating: "續", count: 21)).status == 200)  // 63 bytes
        #expect(try send(String(repeating: "續", count: 22)).description == "Bad Request: BUTTON_DATA_INVALID")  // 66 bytes
        #expect(double.sentMessages().map(\.callbackData) == [[String(repeating: "a", count: 64)], [String(repeating: "續", count: 21)]])
    }

    @Test func keepAliveServesManyRequestsOnOneSocketAndHonoursConnectionClose() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        for index in 0..<20 {
            let response = try #require(client.request("/bot\(token)/sendMessage", body: #"{"chat_id":11,"text":"m\#(index)"}"#))
            #expect(response.status == 200)
            #expect(response.headers["connection"] == "keep-alive")
            #expect(response.resultObject["message_id"] as? Int == 1000 + index)
        }
        // Two pipelined requests in one write.
        client.write(TestClient.requestText("/bot\(token)/getMe") + TestClient.requestText("/bot\(token)/getMe"))
        #expect(client.readResponse()?.status == 200)
        #expect(client.readResponse()?.status == 200)
        let last = try #require(client.request("/bot\(token)/getMe", headers: ["Connection: close"]))
        #expect(last.status == 200)
        #expect(last.headers["connection"] == "close")
        #expect(client.isClosedByPeer())
        #expect(double.sentMessages(to: 11).count == 20)
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        let body = #"{"chat_id":12,"text":"after continue"}"#
        client.write("POST /bot\(token)/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(client.readResponse())
        #expect(interim.status == 100)
        client.write(body)
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(double.sentMessages(to: 12).map(\.text) == ["after continue"])
        // The connection is still usable.
        #expect(client.request("/bot\(token)/getMe")?.status == 200)
    }

    @Test func chunkedBodiesAreRejected() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let client = try TestClient(port: double.port)
        client.write("POST /bot\(token)/sendMessage HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 400)
        #expect(client.isClosedByPeer())
    }

    @Test func faultsTooManyRequestsAndHTMLGatewayErrors() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.failNext("sendMessage", with: .status(429, description: "Too Many Requests: retry after 7", retryAfter: 7))
        double.failNext("SENDMESSAGE", with: .htmlStatus(502))
        let client = try TestClient(port: double.port)
        let body = #"{"chat_id":1,"text":"x"}"#
        let limited = try #require(client.request("/bot\(token)/sendMessage", body: body))
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "7")
        #expect(limited.body == #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#)
        let gateway = try #require(client.request("/bot\(token)/sendMessage", body: body))
        #expect(gateway.status == 502)
        #expect(gateway.headers["content-type"] == "text/html")
        #expect(gateway.body.contains("<title>502 Bad Gateway</title>"))
        #expect(gateway.body.contains("nginx"))
        let fine = try #require(client.request("/bot\(token)/sendMessage", body: body))
        #expect(fine.status == 200)
        #expect(fine.resultObject["message_id"] as? Int == 1000)
        #expect(double.calls("sendMessage").map(\.httpStatus) == [429, 502, 200])
        #expect(double.calls("sendMessage").first?.parameters == ["chat_id": "1", "text": "x"])
        #expect(double.sentMessages().count == 1)
        // Faults are per method.
        double.failNext("getUpdates", with: .status(500, description: "Internal Server Error: restart"), count: 2)
        #expect(client.request("/bot\(token)/getMe")?.status == 200)
        #expect(client.request("/bot\(token)/getUpdates")?.status == 500)
        #expect(client.request("/bot\(token)/getUpdates")?.description == "Internal Server Error: restart")
        #expect(client.request("/bot\(token)/getUpdates")?.status == 200)
    }

    @Test func faultsDropTheConnectionOrDelayTheAnswer() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.failNext("sendMessage", with: .dropConnection)
        let body = #"{"chat_id":1,"text":"x"}"#
        let dropped = try TestClient(port: double.port)
        #expect(dropped.request("/bot\(token)/sendMessage", body: body) == nil)
        #expect(double.calls("sendMessage").map(\.httpStatus) == [0])
        #expect(double.sentMessages().isEmpty)

        double.failNext("sendMessage", with: .delay(seconds: 0.2))
        let client = try TestClient(port: double.port)
        let started = Date()
        let delayed = try #require(client.request("/bot\(token)/sendMessage", body: body))
        let elapsed = Date().timeIntervalSince(started)
        #expect(delayed.status == 200)
        #expect(elapsed >= 0.19)
        #expect(elapsed < 5)
        #expect(double.sentMessages().count == 1)
    }

    @Test func editMessageTextNotModifiedNotFoundAndSuccess() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let keyboard: [String: Any] = ["inline_keyboard": [[["text": "a", "callback_data": "a"]]]]
        let sent = try call(double, "sendMessage", ["chat_id": 20, "text": "<b>hi</b>", "parse_mode": "HTML", "reply_markup": keyboard])
        let messageID = try #require(sent.resultObject["message_id"] as? Int)

        let same = try call(double, "editMessageText", [
            "chat_id": 20, "message_id": messageID, "text": "<b>hi</b>", "parse_mode": "HTML", "reply_markup": keyboard,
        ])
        #expect(same.status == 400)
        #expect(same.description == "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

        let missing = try call(double, "editMessageText", ["chat_id": 20, "message_id": 4242, "text": "x"])
        #expect(missing.status == 400)
        #expect(missing.description == "Bad Request: message to edit not found")

        // Same text without the keyboard is a modification (the keyboard goes away).
        let edited = try call(double, "editMessageText", ["chat_id": 20, "message_id": messageID, "text": "<b>hi</b>", "parse_mode": "HTML"])
        #expect(edited.status == 200)
        #expect(edited.resultObject["message_id"] as? Int == messageID)
        #expect(edited.resultObject["edit_date"] != nil)
        #expect(edited.resultObject["reply_markup"] == nil)
        let changed = try call(double, "editMessageText", ["chat_id": 20, "message_id": messageID, "text": "bye"])
        #expect(changed.status == 200)
        #expect(changed.resultObject["text"] as? String == "bye")

        let all = double.sentMessages(to: 20)
        #expect(all.map(\.isEdit) == [false, true, true])
        #expect(all.map(\.messageID) == [Int64(messageID), Int64(messageID), Int64(messageID)])
        #expect(all.last?.text == "bye")
        #expect(double.calls("editMessageText").map(\.httpStatus) == [400, 400, 200, 200])
    }

    @Test func callbackQueriesCarryTheBotMessageAndAreAnsweredOnce() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let sent = try call(double, "sendMessage", [
            "chat_id": 30, "text": "選一個", "reply_markup": ["inline_keyboard": [[["text": "一", "callback_data": "pick:1"]]]],
        ])
        let messageID = Int64(try #require(sent.resultObject["message_id"] as? Int))
        let (updateID, callbackID) = double.injectCallback(chatID: 30, messageID: messageID, data: "pick:1")

        let updates = try call(double, "getUpdates")
        #expect(updates.resultArray.count == 1)
        let update = try #require(updates.resultArray.first)
        #expect(update["update_id"] as? Int64 == updateID)
        let query = try #require(update["callback_query"] as? [String: Any])
        #expect(query["id"] as? String == callbackID)
        #expect(query["data"] as? String == "pick:1")
        #expect(query["chat_instance"] is String)
        #expect((query["from"] as? [String: Any])?["id"] as? Int == 30)
        let message = try #require(query["message"] as? [String: Any])
        #expect(message["message_id"] as? Int64 == messageID)
        #expect(message["text"] as? String == "選一個")
        #expect((message["from"] as? [String: Any])?["username"] as? String == "BaohaoBot")
        #expect(message["reply_markup"] != nil)

        let first = try call(double, "answerCallbackQuery", ["callback_query_id": callbackID, "text": "好"])
        #expect(first.status == 200)
        #expect(first.body == #"{"ok":true,"result":true}"#)
        let again = try call(double, "answerCallbackQuery", ["callback_query_id": callbackID])
        #expect(again.status == 400)
        #expect(again.description == "Bad Request: query is too old and response timeout expired or query ID is invalid")
        let unknown = try call(double, "answerCallbackQuery", ["callback_query_id": "nope"])
        #expect(unknown.status == 400)
        #expect(double.answeredCallbackIDs() == [callbackID])

        // A callback on a message the double never saw carries an empty text.
        let (_, otherID) = double.injectCallback(chatID: 31, messageID: 9, data: "x")
        #expect(otherID != callbackID)
        let later = try call(double, "getUpdates", ["offset": updateID + 1])
        let otherMessage = (later.resultArray.first?["callback_query"] as? [String: Any])?["message"] as? [String: Any]
        #expect(otherMessage?["text"] as? String == "")
    }

    @Test func blockedChatsGet403() throws {
        let double = try makeDouble()
        defer { double.stop() }
        #expect(try call(double, "sendMessage", ["chat_id": 40, "text": "before"]).status == 200)
        double.blockChat(40)
        let blocked = try call(double, "sendMessage", ["chat_id": 40, "text": "after"])
        #expect(blocked.status == 403)
        #expect(blocked.body == #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#)
        let edit = try call(double, "editMessageText", ["chat_id": 40, "message_id": 1000, "text": "changed"])
        #expect(edit.status == 403)
        #expect(try call(double, "sendChatAction", ["chat_id": 40, "action": "typing"]).status == 403)
        // Formatting errors are still reported first.
        let malformed = try call(double, "sendMessage", ["chat_id": 40, "text": "<p>", "parse_mode": "HTML"])
        #expect(malformed.status == 400)
        #expect(try call(double, "sendMessage", ["chat_id": 41, "text": "others"]).status == 200)
        #expect(double.sentMessages().map(\.text) == ["before", "others"])
    }

    @Test func smallerMethods() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let webhook = try call(double, "deleteWebhook", ["drop_pending_updates": false])
        #expect(webhook.body == #"{"ok":true,"result":true,"description":"Webhook is already deleted"}"#)
        #expect(try call(double, "sendChatAction", ["chat_id": 1, "action": "typing"]).body == #"{"ok":true,"result":true}"#)
        let action = try call(double, "sendChatAction", ["chat_id": 1, "action": "dancing"])
        #expect(action.status == 400)
        #expect(action.description == "Bad Request: wrong parameter action in request")

        let commands: [[String: Any]] = [["command": "start", "description": "開始"], ["command": "/renew_1", "description": "續期"]]
        #expect(try call(double, "setMyCommands", ["commands": commands]).body == #"{"ok":true,"result":true}"#)
        let listed = try call(double, "getMyCommands")
        #expect(listed.body == #"{"ok":true,"result":[{"command":"start","description":"開始"},{"command":"renew_1","description":"續期"}]}"#)
        for bad in [["command": "Start", "description": "x"], ["command": "", "description": "x"],
                    ["command": "ok", "description": ""], ["command": String(repeating: "a", count: 33), "description": "x"],
                    ["command": "ok", "description": String(repeating: "說", count: 257)]] {
            let response = try call(double, "setMyCommands", ["commands": [bad]])
            #expect(response.status == 400)
            #expect(response.description == "Bad Request: BOT_COMMAND_INVALID")
        }

        double.injectMessage(chatID: 2, text: "a")
        double.injectMessage(chatID: 2, text: "b")
        #expect(try call(double, "getWebhookInfo").resultObject["pending_update_count"] as? Int == 2)
        _ = try call(double, "deleteWebhook", ["drop_pending_updates": true])
        #expect(double.pendingUpdateCount == 0)
    }

    @Test func rawUpdatesAreDeliveredVerbatim() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let first = double.injectMessage(chatID: 1, text: "x")
        let raw = #"{"update_id":\#(first + 1),"my_chat_member":{"weird":true}}"#
        #expect(double.injectRawUpdate(raw, updateID: first + 1) == first + 1)
        let third = double.injectMessage(chatID: 1, text: "y")
        #expect(third == first + 2)
        let response = try call(double, "getUpdates", ["offset": first + 1, "limit": 1])
        #expect(response.body == #"{"ok":true,"result":["# + raw + "]}")
        #expect(double.pendingUpdateCount == 2)
        // Not even JSON: still placed verbatim, numbered with the next id.
        let garbageID = double.injectRawUpdate("not json at all")
        #expect(garbageID == third + 1)
        let garbage = try call(double, "getUpdates", ["offset": third + 1])
        #expect(garbage.body == #"{"ok":true,"result":[not json at all]}"#)
        // A negative offset keeps only the newest updates.
        double.injectMessage(chatID: 1, text: "a")
        double.injectMessage(chatID: 1, text: "b")
        #expect(double.pendingUpdateCount == 3)
        #expect(try call(double, "getUpdates", ["offset": -1]).resultArray.count == 1)
        #expect(double.pendingUpdateCount == 1)
    }

    @Test func waitReturnsWhenTheStateChangesOrTimesOut() async throws {
        let double = try makeDouble()
        defer { double.stop() }
        let port = double.port, token = token
        let sender = Background { () -> Int in
            usleep(50_000)
            guard let client = try? TestClient(port: port) else { return -1 }
            return client.request("/bot\(token)/sendMessage", body: #"{"chat_id":50,"text":"x"}"#)?.status ?? -1
        }
        #expect(double.wait(timeout: 10) { double.sentMessages(to: 50).count == 1 })
        #expect(sender.value(timeout: 10) == 200)
        let started = Date()
        #expect(double.wait(timeout: 0.05) { false } == false)
        #expect(Date().timeIntervalSince(started) >= 0.04)

        _ = Background { () -> Int64 in
            usleep(50_000)
            return double.injectMessage(chatID: 51, text: "y")
        }
        let arrived = await double.waitAsync(timeout: 10) { double.pendingUpdateCount == 1 }
        #expect(arrived)
        let never = await double.waitAsync(timeout: 0.05) { false }
        #expect(never == false)
    }

    @Test func parsesHTMLLikeTDLib() throws {
        func parse(_ text: String) -> Result<FormattedText, ParseFailure> { TelegramHTML.parse(Array(text.utf8)) }
        func failure(_ text: String) -> String? {
            if case .failure(let error) = parse(text) { return error.message }
            return nil
        }
        #expect(failure("🏟 🏟&lt;<abacaba") == "Unclosed start tag at byte offset 13")
        #expect(failure("🏟 🏟&lt;<abac aba>") == #"Unsupported start tag "abac" at byte offset 13"#)
        #expect(failure("🏟 🏟&lt;<i   =aba>") == #"Empty attribute name in the tag "i" at byte offset 13"#)
        #expect(failure("<a href=x/>y</a>") == "Unexpected end of name token at byte offset 8")
        #expect(failure("<b>x</b") == "Unclosed end tag at byte offset 4")
        #expect(failure("&#xD800;") != nil)
        let parsed = try parse(#"<b>粗<i>斜</i></b> <a href="https://t.me/x?a=1&amp;b=2">link</a> <pre><code class="language-swift">let x</code></pre> &#20013;&#x6587; &nbsp; <tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote>"#).get()
        #expect(parsed.text == "粗斜 link let x 中文 &nbsp; s q")
        #expect(parsed.entities == [
            TextEntity(type: "bold", offset: 0, length: 2),
            TextEntity(type: "italic", offset: 1, length: 1),
            TextEntity(type: "text_link", offset: 3, length: 4, url: "https://t.me/x?a=1&b=2"),
            TextEntity(type: "pre", offset: 8, length: 5, language: "swift"),
            TextEntity(type: "spoiler", offset: 24, length: 1),
            TextEntity(type: "expandable_blockquote", offset: 26, length: 1),
        ])
        // Entity offsets are UTF-16 based.
        let emoji = try parse("😀<b>x</b>").get()
        #expect(emoji.entities == [TextEntity(type: "bold", offset: 2, length: 1)])
    }

    @Test func sustainsManyRequestsOnTwoKeepAliveConnections() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let port = double.port, token = token
        let perClient = 1000
        let workers = (0..<2).map { worker in
            Background { () -> Int in
                guard let client = try? TestClient(port: port) else { return 0 }
                var ok = 0
                for index in 0..<perClient {
                    let body = #"{"chat_id":\#(900 + worker),"text":"message \#(index)"}"#
                    if client.request("/bot\(token)/sendMessage", body: body)?.status == 200 { ok += 1 }
                }
                return ok
            }
        }
        #expect(workers.map { $0.value(timeout: 60) } == [perClient, perClient])
        #expect(double.sentMessages(to: 900).count == perClient)
        #expect(double.sentMessages(to: 901).last?.messageID == Int64(1000 + perClient - 1))
        #expect(double.calls("sendMessage").count == 2 * perClient)
    }
}
