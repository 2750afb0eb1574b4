import Glibc

/// A Bot API error: HTTP status = error_code, and the exact description.
struct APIError: Error {
    let status: Int
    let description: String

    /// What Telegram says when the user blocked the bot.
    static let blocked = APIError(status: 403, description: "Forbidden: bot was blocked by the user")

    static func badRequest(_ detail: String) -> APIError {
        APIError(status: 400, description: "Bad Request: " + detail)
    }

    var response: HTTPResponse { .error(status, description) }
}

/// A `text` (+ `parse_mode`) that passed validation.
struct PreparedText {
    let raw: String
    let parseMode: String?
    /// After entity parsing and trimming.
    let formatted: FormattedText
    let codePoints: Int
}

/// A `reply_markup` that passed validation.
struct PreparedMarkup {
    let json: String
    let callbackData: [String]
}

extension BotAPIDouble {
    static let knownMethods: Set<String> = [
        "getme", "getupdates", "deletewebhook", "getwebhookinfo", "setmycommands", "getmycommands",
        "deletemycommands", "sendmessage", "editmessagetext", "answercallbackquery", "sendchataction",
        "sendphoto", "senddocument", "copymessage", "copymessages", "setmessagereaction", "getchat",
        "createforumtopic", "editforumtopic", "closeforumtopic", "reopenforumtopic", "deleteforumtopic",
        "sendinvoice", "answerprecheckoutquery", "refundstarpayment",
    ]

    static let chatActions: Set<String> = [
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    ]

    // MARK: - Dispatch

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        // "/bot<token>/<method>"
        let components = request.path.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count == 3, components[0].isEmpty, components[1].hasPrefix("bot"), !components[2].isEmpty else {
            let name = request.path.split(separator: "/").last.map { $0.lowercased() } ?? ""
            return lock.withLock {
                recordLocked(name, [:], 404)
                return .error(404, "Not Found")
            }
        }
        let requestToken = String(components[1].dropFirst(3))
        let method = components[2].lowercased()
        let parameters = self.parameters(of: request)

        let fault = lock.withLock { () -> Fault? in
            guard var queue = state.faults[method], !queue.isEmpty else { return nil }
            let fault = queue.removeFirst()
            state.faults[method] = queue.isEmpty ? nil : queue
            return fault
        }
        // A fault after handling: the request takes effect (a message is sent), then the
        // answer is lost or replaced, as when a proxy fails after Telegram did the work.
        var replacement: HTTPResponse?
        if let fault {
            switch fault {
            case .status(let code, let description, let retryAfter):
                return respond(method, parameters, .error(code, description, retryAfter: retryAfter))
            case .htmlStatus(let code):
                return respond(method, parameters, .html(code))
            case .dropConnection:
                return respond(method, parameters, .dropConnection)
            case .delay(let seconds):
                sleepUnlessStopped(seconds)
            case .dropAfterHandling:
                replacement = .dropConnection
            case .htmlStatusAfterHandling(let code):
                replacement = .html(code)
            }
        }
        let response = handleMethod(method, parameters, requestToken: requestToken, request: request)
        return replacement ?? response
    }

    private func handleMethod(_ method: String, _ parameters: [String: String], requestToken: String, request: HTTPRequest) -> HTTPResponse {
        guard requestToken == token else {
            let wellFormed = isWellFormedToken(requestToken)
            return respond(method, parameters, wellFormed ? .error(401, "Unauthorized") : .error(404, "Not Found"))
        }
        guard Self.knownMethods.contains(method) else {
            return respond(method, parameters, .error(404, "Not Found"))
        }
        switch method {
        case "getme":
            return respond(method, parameters, .ok(getMeJSON))
        case "getupdates":
            return getUpdates(parameters, connection: request.connection)
        case "deletewebhook":
            return lock.withLock {
                if parseBotAPIBool(parameters["drop_pending_updates"] ?? "") { state.dropAllPending() }
                let response = HTTPResponse.ok("true", description: "Webhook is already deleted")
                recordLocked(method, parameters, response.status)
                return response
            }
        case "getwebhookinfo":
            return lock.withLock {
                let response = HTTPResponse.ok(
                    "{\"url\":\"\",\"has_custom_certificate\":false,\"pending_update_count\":\(state.pendingCount)}")
                recordLocked(method, parameters, response.status)
                return response
            }
        case "setmycommands", "getmycommands", "deletemycommands":
            return commands(method, parameters)
        case "sendmessage":
            return sendMessage(parameters)
        case "editmessagetext":
            return editMessageText(parameters)
        case "answercallbackquery":
            return answerCallbackQuery(parameters)
        case "sendchataction":
            return sendChatAction(parameters)
        case "sendphoto":
            return sendPhoto(parameters)
        case "senddocument":
            return sendDocument(parameters)
        case "copymessage":
            return copyMessage(parameters)
        case "copymessages":
            return copyMessages(parameters)
        case "setmessagereaction":
            return setMessageReaction(parameters)
        case "getchat":
            return getChat(parameters)
        case "createforumtopic":
            return createForumTopic(parameters)
        case "editforumtopic":
            return editForumTopic(parameters)
        case "closeforumtopic", "reopenforumtopic":
            return setForumTopicClosed(method, parameters, closed: method == "closeforumtopic")
        case "deleteforumtopic":
            return deleteForumTopic(parameters)
        case "sendinvoice":
            return sendInvoice(parameters)
        case "answerprecheckoutquery":
            return answerPreCheckoutQuery(parameters)
        case "refundstarpayment":
            return refundStarPayment(parameters)
        default:
            return respond(method, parameters, .error(404, "Not Found"))
        }
    }

    /// Records the call with the response's status and returns the response.
    func respond(_ method: String, _ parameters: [String: String], _ response: HTTPResponse) -> HTTPResponse {
        lock.withLock { recordLocked(method, parameters, response.status) }
        return response
    }

    /// Query string, then the body (JSON, form or multipart) on top.
    func parameters(of request: HTTPRequest) -> [String: String] {
        var parameters: [String: String] = [:]
        if let query = request.query, !query.isEmpty { parseFormEncoded(query, into: &parameters) }
        guard !request.body.isEmpty else { return parameters }
        let contentType = request.contentType?.lowercased() ?? ""
        if contentType.hasPrefix("application/json") || (contentType.isEmpty && request.body.first == UInt8(ascii: "{")) {
            // A body that is not a JSON object is ignored, as the real server only logs it.
            if case .object(let members)? = JSONParser.parse(request.body) {
                for member in members { parameters[member.key] = member.value.parameterText }
            }
        } else if contentType.hasPrefix("multipart/form-data") {
            parseMultipart(request.body, contentType: request.contentType ?? "", into: &parameters)
        } else {
            parseFormEncoded(String(decoding: request.body, as: UTF8.self), into: &parameters)
        }
        return parameters
    }

    /// Digits, a colon, something: the shape of a bot token.
    func isWellFormedToken(_ candidate: String) -> Bool {
        guard let colon = candidate.firstIndex(of: ":") else { return false }
        let digits = candidate[..<colon]
        return !digits.isEmpty && digits.allSatisfy { $0 >= "0" && $0 <= "9" } && candidate.index(after: colon) < candidate.endIndex
    }

    func sleepUnlessStopped(_ seconds: Double) {
        let deadline = monotonicSeconds() + max(0, seconds)
        lock.withLock {
            while !state.stopped && monotonicSeconds() < deadline {
                lock.wait(Self.pollEvent, until: deadline)
            }
        }
    }

    var getMeJSON: String {
        var json = "{\"id\":\(botID),\"is_bot\":true,\"first_name\":\"Baohao\",\"username\":"
        appendJSONString(botUsername, to: &json)
        json += ",\"can_join_groups\":true,\"can_read_all_group_messages\":false,\"supports_inline_queries\":false}"
        return json
    }

    // MARK: - getUpdates

    private func getUpdates(_ parameters: [String: String], connection: Int32) -> HTTPResponse {
        let method = "getupdates"
        let offset = parameters["offset"].flatMap(parseInteger) ?? 0
        let limit = min(100, max(1, Int(clamping: parameters["limit"].flatMap(parseInteger) ?? 100)))
        let timeout = Double(min(50, max(0, parameters["timeout"].flatMap(parseInteger) ?? 0)))

        lock.lock()
        defer { lock.unlock() }
        if offset < 0 {
            state.keepNewest(Int(clamping: offset.magnitude))
            changedLocked()
        } else if offset > 0 && offset <= state.newestUpdateID + 10 {
            state.confirm(below: offset)
            state.confirmedOffset = max(state.confirmedOffset, offset)
            changedLocked()
        }

        func answer() -> HTTPResponse {
            var json = "["
            for (index, update) in state.pendingUpdates(limit: limit).enumerated() {
                if index > 0 { json += "," }
                json += update.json
            }
            json += "]"
            let response = HTTPResponse.ok(json)
            recordLocked(method, parameters, response.status)
            return response
        }

        if state.pendingCount > 0 || timeout == 0 || state.stopped { return answer() }

        // This poll has to wait: it supersedes any older waiting one, which gets 409 — unless that one's
        // client has already hung up (a stopped bot instance), which ends it silently instead.
        state.pollSequence += 1
        let poll = state.pollSequence
        if state.activePoll != nil && !peerHasClosed(state.activePollConnection) {
            state.pollersTerminatedByConflict += 1
            changedLocked()
        }
        state.activePoll = poll
        state.activePollConnection = connection
        lock.broadcast(Self.pollEvent)
        defer {
            if state.activePoll == poll {
                state.activePoll = nil
                state.activePollConnection = -1
            }
        }
        let deadline = monotonicSeconds() + timeout
        while true {
            // The fd stays open while this thread runs, so checking it here is safe.
            if peerHasClosed(connection) {
                recordLocked(method, parameters, 0)
                return .dropConnection
            }
            if state.activePoll != poll {
                let response = HTTPResponse.error(
                    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
                recordLocked(method, parameters, response.status)
                return response
            }
            if state.stopped || state.pendingCount > 0 || monotonicSeconds() >= deadline { return answer() }
            // Wake up now and then to notice a client that hung up.
            lock.wait(Self.pollEvent, until: min(deadline, monotonicSeconds() + 0.1))
        }
    }

    // MARK: - setMyCommands / getMyCommands / deleteMyCommands

    private func commands(_ method: String, _ parameters: [String: String]) -> HTTPResponse {
        let scope = parameters["scope"].flatMap(JSONParser.parse)?.serialized ?? "{\"type\":\"default\"}"
        let key = scope + "|" + (parameters["language_code"] ?? "")
        switch method {
        case "getmycommands":
            return lock.withLock {
                let response = HTTPResponse.ok(state.commands[key] ?? "[]")
                recordLocked(method, parameters, response.status)
                return response
            }
        case "deletemycommands":
            return lock.withLock {
                state.commands[key] = nil
                let response = HTTPResponse.ok("true")
                recordLocked(method, parameters, response.status)
                return response
            }
        default:
            break
        }
        guard let value = JSONParser.parse(parameters["commands"] ?? "") else {
            return respond(method, parameters, APIError.badRequest("can't parse commands JSON object").response)
        }
        guard let items = value.arrayValue else {
            return respond(method, parameters, APIError.badRequest("expected an Array of BotCommand").response)
        }
        guard items.count <= 100 else {
            return respond(method, parameters, APIError.badRequest("BOT_COMMANDS_TOO_MUCH").response)
        }
        var normalized: [JSONValue] = []
        for item in items {
            guard var command = item["command"]?.stringValue, let description = item["description"]?.stringValue else {
                return respond(method, parameters, APIError.badRequest("BOT_COMMAND_INVALID").response)
            }
            if command.hasPrefix("/") { command.removeFirst() }
            let validCommand = (1...32).contains(command.unicodeScalars.count)
                && command.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            let validDescription = (1...256).contains(description.unicodeScalars.count)
            guard validCommand && validDescription else {
                return respond(method, parameters, APIError.badRequest("BOT_COMMAND_INVALID").response)
            }
            normalized.append(.object([
                JSONMember(key: "command", value: .string(command)),
                JSONMember(key: "description", value: .string(description)),
            ]))
        }
        return lock.withLock {
            state.commands[key] = JSONValue.array(normalized).serialized
            let response = HTTPResponse.ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    // MARK: - Text and markup validation

    /// Checks in the server's order: empty, whitespace only, raw size, parse_mode, entity parsing.
    /// Records a refused call (the lock is held) and gives its response.
    func failLocked(_ method: String, _ parameters: [String: String], _ error: APIError) -> HTTPResponse {
        recordLocked(method, parameters, error.status)
        return error.response
    }

    /// The text and the keyboard of a sendMessage or editMessageText, checked in Telegram's order.
    func prepareContent(_ parameters: [String: String]) throws(APIError) -> (PreparedText, PreparedMarkup?) {
        (try prepareText(parameters).get(), try prepareMarkup(parameters["reply_markup"]).get())
    }

    func prepareText(_ parameters: [String: String]) -> Result<PreparedText, APIError> {
        let raw = parameters["text"] ?? ""
        if raw.isEmpty { return .failure(.badRequest("message text is empty")) }
        if raw.unicodeScalars.allSatisfy(isTrimmedWhitespace) { return .failure(.badRequest("text must be non-empty")) }
        if raw.utf8.count > 32_768 { return .failure(.badRequest("text is too long")) }
        let parseMode: String?, formatted: FormattedText
        switch formatting(raw, parameters) {
        case .success(let value): (parseMode, formatted) = value
        case .failure(let error): return .failure(error)
        }
        if formatted.text.isEmpty { return .failure(.badRequest("text must be non-empty")) }
        return .success(PreparedText(
            raw: raw, parseMode: parseMode, formatted: formatted, codePoints: formatted.text.unicodeScalars.count))
    }

    /// `raw` as `parse_mode` formats it (HTML parsed into entities the way TDLib does; the
    /// other modes kept as plain text), trimmed: the one reading of a text and of a caption.
    func formatting(_ raw: String, _ parameters: [String: String]) -> Result<(parseMode: String?, formatted: FormattedText), APIError> {
        var parseMode: String?
        if let mode = parameters["parse_mode"], !mode.isEmpty {
            switch mode.lowercased() {
            case "html", "markdownv2", "markdown": parseMode = mode
            default: return .failure(.badRequest("unsupported parse_mode"))
            }
        }
        var formatted = FormattedText(text: raw, entities: [])
        if parseMode?.lowercased() == "html" {
            switch TelegramHTML.parse(Array(raw.utf8)) {
            case .success(let parsed): formatted = parsed
            case .failure(let failure): return .failure(.badRequest("can't parse entities: " + failure.message))
            }
        }
        return .success((parseMode, trimmed(formatted)))
    }

    /// Validates `reply_markup`: inline keyboards strictly, the other keyboard kinds loosely.
    func prepareMarkup(_ raw: String?) -> Result<PreparedMarkup?, APIError> {
        guard let raw, !raw.isEmpty else { return .success(nil) }
        guard let value = JSONParser.parse(raw) else {
            return .failure(.badRequest("can't parse reply keyboard markup JSON object"))
        }
        guard value.isObject else { return .failure(.badRequest("object expected as reply markup")) }
        var callbackData: [String] = []
        if let keyboard = value["inline_keyboard"] {
            guard let rows = keyboard.arrayValue else {
                return .failure(.badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array"))
            }
            for row in rows {
                guard let buttons = row.arrayValue else {
                    return .failure(.badRequest("InlineKeyboardMarkup must be an Array of Arrays"))
                }
                for button in buttons {
                    let prefix = "can't parse inline keyboard button: "
                    guard button.isObject else { return .failure(.badRequest(prefix + "InlineKeyboardButton must be an Object")) }
                    guard button["text"]?.stringValue != nil else {
                        return .failure(.badRequest(prefix + "Field \"text\" must be of type String"))
                    }
                    let data = button["callback_data"]
                    let url = button["url"]
                    let otherActions = [
                        "login_url", "switch_inline_query", "switch_inline_query_current_chat",
                        "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
                    ].filter { button[$0] != nil }
                    let actions = (data == nil ? 0 : 1) + (url == nil ? 0 : 1) + otherActions.count
                    if actions == 0 {
                        return .failure(.badRequest(prefix + "Text buttons are unallowed in the inline keyboard"))
                    }
                    if actions > 1 {
                        return .failure(.badRequest(prefix + "InlineKeyboardButton must have exactly one action field"))
                    }
                    if let data {
                        guard let text = data.stringValue else {
                            return .failure(.badRequest(prefix + "Field \"callback_data\" must be of type String"))
                        }
                        guard (1...64).contains(text.utf8.count) else { return .failure(.badRequest("BUTTON_DATA_INVALID")) }
                        callbackData.append(text)
                    }
                    if let url {
                        guard let text = url.stringValue else {
                            return .failure(.badRequest(prefix + "Field \"url\" must be of type String"))
                        }
                        let lower = text.lowercased()
                        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("tg://") else {
                            return .failure(.badRequest("BUTTON_URL_INVALID"))
                        }
                    }
                }
            }
        } else if value["keyboard"] == nil && value["remove_keyboard"] == nil && value["force_reply"] == nil {
            return .failure(.badRequest("can't parse reply keyboard markup JSON object"))
        }
        return .success(PreparedMarkup(json: value.serialized, callbackData: callbackData))
    }

    /// `chat_id` as an integer chat id.
    func chatID(_ parameters: [String: String]) -> Result<Int64, APIError> {
        guard let raw = parameters["chat_id"], !raw.isEmpty else { return .failure(.badRequest("chat_id is empty")) }
        guard let id = parseInteger(raw), id != 0 else { return .failure(.badRequest("chat not found")) }
        return .success(id)
    }

    // MARK: - sendMessage

    private func sendMessage(_ parameters: [String: String]) -> HTTPResponse {
        let method = "sendmessage"
        let text: PreparedText, markup: PreparedMarkup?, chat: Int64, reply: ReplyRequest
        do throws(APIError) {
            (text, markup) = try prepareContent(parameters)
            chat = try chatID(parameters).get()
            reply = try replyRequest(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let thread = requestedThread(parameters)
        let disablePreview = linkPreviewDisabled(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            let placement: Placement
            switch placeLocked(chat: chat, thread: thread, reply: reply) {
            case .success(let value): placement = value
            case .failure(let error): return fail(error)
            }
            if text.codePoints > 4096 { return fail(.badRequest("message is too long")) }
            if let error = topicClosedLocked(chat: chat, thread: placement.threadID) { return fail(error) }
            if let refused = floodControlLocked(method, parameters, chat: chat) { return refused }

            let stored = StoredMessage(
                text: text.formatted.text, entities: text.formatted.entities, markupJSON: markup?.json,
                date: date, editDate: nil, linkPreviewDisabled: disablePreview, threadID: placement.threadID,
                replyTo: placement.replyTo)
            let messageID = storeBotMessageLocked(chat: chat, stored)
            addSentLocked(SentMessage(
                messageID: messageID, chatID: chat, text: text.raw, parseMode: text.parseMode,
                replyMarkupJSON: markup?.json, callbackData: markup?.callbackData ?? [], replyToMessageID: reply.messageID,
                disableLinkPreview: disablePreview, isEdit: false, threadID: placement.threadID))
            let response = HTTPResponse.ok(messageJSONLocked(chat: chat, id: messageID, stored))
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    func linkPreviewDisabled(_ parameters: [String: String]) -> Bool {
        if let raw = parameters["link_preview_options"], let value = JSONParser.parse(raw),
           value["is_disabled"]?.boolValue == true {
            return true
        }
        return parseBotAPIBool(parameters["disable_web_page_preview"] ?? "")
    }

    func addSentLocked(_ message: SentMessage) {
        state.sent.append(message)
        state.sentByChat[message.chatID, default: []].append(message)
    }

    // MARK: - editMessageText

    private func editMessageText(_ parameters: [String: String]) -> HTTPResponse {
        let method = "editmessagetext"
        let text: PreparedText, markup: PreparedMarkup?, chat: Int64
        do throws(APIError) {
            (text, markup) = try prepareContent(parameters)
            if let inline = parameters["inline_message_id"], !inline.isEmpty { throw APIError.badRequest("MESSAGE_ID_INVALID") }
            chat = try chatID(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        guard let messageID = parameters["message_id"].flatMap(parseInteger) else {
            return respond(method, parameters, APIError.badRequest("message identifier is not specified").response)
        }
        let disablePreview = linkPreviewDisabled(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            if state.blockedChats.contains(chat) { return fail(.blocked) }
            guard var stored = state.chats[chat]?.botMessages[messageID] else {
                if state.chats[chat]?.knows(messageID: messageID) == true {
                    return fail(.badRequest("message can't be edited"))
                }
                return fail(.badRequest("message to edit not found"))
            }
            if stored.media != nil || stored.service != nil {
                return fail(.badRequest("there is no text in the message to edit"))
            }
            if text.codePoints > 4096 { return fail(.badRequest("message is too long")) }
            if stored.text == text.formatted.text && stored.entities == text.formatted.entities && stored.markupJSON == markup?.json {
                return fail(.badRequest(
                    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"))
            }
            if let refused = floodControlLocked(method, parameters, chat: chat) { return refused }
            stored.text = text.formatted.text
            stored.entities = text.formatted.entities
            stored.markupJSON = markup?.json
            stored.editDate = date
            stored.linkPreviewDisabled = disablePreview
            state.chats[chat]?.botMessages[messageID] = stored  // in place
            addSentLocked(SentMessage(
                messageID: messageID, chatID: chat, text: text.raw, parseMode: text.parseMode,
                replyMarkupJSON: markup?.json, callbackData: markup?.callbackData ?? [], replyToMessageID: nil,
                disableLinkPreview: disablePreview, isEdit: true, threadID: stored.threadID))
            let response = HTTPResponse.ok(messageJSONLocked(chat: chat, id: messageID, stored))
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    // MARK: - answerCallbackQuery, sendChatAction

    private func answerCallbackQuery(_ parameters: [String: String]) -> HTTPResponse {
        let method = "answercallbackquery"
        let id = parameters["callback_query_id"] ?? ""
        let textLength = parameters["text"]?.unicodeScalars.count ?? 0
        return lock.withLock {
            let response: HTTPResponse
            if !state.openCallbacks.contains(id) {
                response = APIError.badRequest("query is too old and response timeout expired or query ID is invalid").response
            } else if textLength > 200 {
                response = APIError.badRequest("MESSAGE_TOO_LONG").response
            } else {
                state.openCallbacks.remove(id)
                state.answeredCallbacks.append(id)
                response = .ok("true")
            }
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    private func sendChatAction(_ parameters: [String: String]) -> HTTPResponse {
        let method = "sendchataction"
        guard let action = parameters["action"], Self.chatActions.contains(action) else {
            return respond(method, parameters, APIError.badRequest("wrong parameter action in request").response)
        }
        let chat: Int64
        switch chatID(parameters) {
        case .success(let id): chat = id
        case .failure(let error): return respond(method, parameters, error.response)
        }
        return lock.withLock {
            let response: HTTPResponse = state.blockedChats.contains(chat)
                ? .error(APIError.blocked.status, APIError.blocked.description)
                : .ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }
}

/// An integer parameter ("42", "-100123", or a JSON number like "3.0").
func parseInteger(_ text: String) -> Int64? {
    if let value = Int64(text) { return value }
    let trimmed = text.trimmingASCIISpaces()
    if let value = Int64(trimmed) { return value }
    if let value = Double(trimmed), value.isFinite, value == value.rounded(), abs(value) < 9e18 { return Int64(value) }
    return nil
}
