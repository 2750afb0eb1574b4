import Dispatch

// Payments: sendInvoice, answerPreCheckoutQuery and refundStarPayment, and what a paying user does in the
// Telegram app (presses Pay, pays) injected as updates.
//
// Where the errors come from:
// * telegram-bot-api (Client.cpp get_input_message_invoice, get_labeled_price_parts,
//   get_suggested_tip_amounts, process_answer_pre_checkout_query_query, process_refund_star_payment_query,
//   get_required_string_arg, get_user_id, fail_query_with_error) and TDLib (LabeledPricePart.cpp,
//   InputInvoice.cpp, tdutils JsonBuilder.cpp): the parameter and JSON errors, exactly.
// * Telegram's own server (upper-case codes): PAYMENT_PROVIDER_INVALID (a fiat invoice without a provider
//   token: python-telegram-bot#4711, rubenlagus/TelegramBots#1445), STARS_INVOICE_INVALID (a Stars invoice
//   with tips: go-telegram-bot-api#751), CHARGE_ALREADY_REFUNDED (tdlib/telegram-bot-api#690),
//   CHARGE_NOT_FOUND and QUERY_ID_INVALID for an unknown pre-checkout query (live tests of
//   Borodin/typescript-telegram-bot-api), INVOICE_PAYLOAD_INVALID, CURRENCY_TOTAL_AMOUNT_INVALID,
//   REPLY_MARKUP_BUY_EMPTY and BUTTON_POS_INVALID (messages.sendMedia's documented errors).
// * Not verified (chosen by the double, see each use): the code for a title or description over its
//   length limit, for a malformed currency, for a Stars invoice with a provider token or several prices,
//   and the largest Stars total.

extension BotAPIDouble {
    /// One component of an invoice's price, as in the `prices` parameter (`amount` in the currency's
    /// smallest units; negative for a discount).
    public struct LabeledPrice: Sendable, Equatable {
        /// The component's label.
        public let label: String
        /// The amount in the smallest units of the currency.
        public let amount: Int64

        /// A price component with these values (for comparing with `SentInvoice.prices`).
        public init(label: String, amount: Int64) {
            self.label = label
            self.amount = amount
        }
    }

    /// An invoice the bot sent with a successful sendInvoice.
    public struct SentInvoice: Sendable, Equatable {
        /// The invoice message's id (numbered like the bot's other messages in the chat).
        public let messageID: Int64
        /// The chat it went to.
        public let chatID: Int64
        /// The `title` parameter.
        public let title: String
        /// The `description` parameter.
        public let description: String
        /// The `payload` parameter (the pre-checkout query and the successful payment carry it).
        public let payload: String
        /// The `provider_token` parameter; "" when absent (always "" for "XTR").
        public let providerToken: String
        /// The `currency` parameter.
        public let currency: String
        /// The `prices` parameter, in order.
        public let prices: [LabeledPrice]
        /// The sum of `prices`.
        public let totalAmount: Int64
        /// The `start_parameter` parameter ("" when absent).
        public let startParameter: String
        /// reply_parameters.message_id (or the legacy reply_to_message_id).
        public let replyToMessageID: Int64?
        /// The forum topic it went to (nil: General, or a chat without topics).
        public let threadID: Int64?
        /// The reply_markup value as (compact) JSON text, if any.
        public let replyMarkupJSON: String?
        /// All callback_data values of the inline keyboard, in order.
        public let callbackData: [String]
    }

    /// The bot's answer to a pre-checkout query, as the double received it.
    public struct PreCheckoutAnswer: Sendable, Equatable {
        /// The `ok` parameter.
        public let ok: Bool
        /// The `error_message` parameter of a refusal (nil when `ok`).
        public let errorMessage: String?
        /// Seconds from `injectPreCheckoutQuery` to the answer, on the double's monotonic clock.
        public let secondsAfterQuery: Double
        /// Whether it came within `preCheckoutDeadlineSeconds`. A late answer was refused with 400 and the
        /// query counts as declined: no payment follows.
        public let inTime: Bool

        /// An answer with these values (for comparing with `preCheckoutAnswer(_:)`).
        public init(ok: Bool, errorMessage: String?, secondsAfterQuery: Double, inTime: Bool) {
            self.ok = ok
            self.errorMessage = errorMessage
            self.secondsAfterQuery = secondsAfterQuery
            self.inTime = inTime
        }
    }

    /// How `pay(chatID:userID:invoiceMessageID:timeout:)` ended.
    public enum PaymentResult: Sendable, Equatable {
        /// The bot accepted the checkout in time; a successful_payment message update was queued.
        case paid(telegramChargeID: String, providerChargeID: String, updateID: Int64)
        /// The bot refused the checkout in time with this `error_message`.
        case declined(errorMessage: String)
        /// No answer within the deadline (or the timeout): Telegram cancels the payment.
        case noAnswer
        /// The chat has no invoice message with that id.
        case noSuchInvoice
    }

    /// A successful refundStarPayment.
    public struct Refund: Sendable, Equatable {
        /// The `user_id` parameter.
        public let userID: Int64
        /// The `telegram_payment_charge_id` parameter.
        public let telegramChargeID: String

        /// A refund with these values (for comparing with `refunds()`).
        public init(userID: Int64, telegramChargeID: String) {
            self.userID = userID
            self.telegramChargeID = telegramChargeID
        }
    }

    // MARK: - Settings

    /// Seconds the bot has to answer a pre-checkout query (Telegram: 10). An answer after that gets
    /// 400 "query is too old and response timeout expired or query ID is invalid" and the checkout fails.
    public var preCheckoutDeadlineSeconds: Double {
        get { lock.withLock { state.payments.preCheckoutDeadline } }
        set { lock.withLock { state.payments.preCheckoutDeadline = newValue } }
    }

    /// The allowed total (in smallest units) by currency; a sendInvoice outside gets 400
    /// CURRENCY_TOTAL_AMOUNT_INVALID. Telegram's per-currency limits (currencies.json) are not built in:
    /// by default only "XTR" is limited, to 1…100000 Stars — a third party's measurement (one-off invoices:
    /// 100000 accepted, 150000 refused), not a documented figure. Other currencies only need a positive
    /// total of at most 999999999999, as TDLib checks.
    public var invoiceTotalLimits: [String: ClosedRange<Int64>] {
        get { lock.withLock { state.payments.totalLimits } }
        set { lock.withLock { state.payments.totalLimits = newValue } }
    }

    // MARK: - What a paying user does

    /// The user presses Pay on invoice message `invoiceMessageID` of `chatID` and confirms: queues a
    /// `pre_checkout_query` update `{"id","from","currency","total_amount","invoice_payload"}` with the
    /// invoice's values and returns the query id (a decimal number, as Telegram's), or nil when the chat has
    /// no such invoice. The bot has `preCheckoutDeadlineSeconds` from now to answer.
    @discardableResult
    public func injectPreCheckoutQuery(chatID: Int64, userID: Int64? = nil, invoiceMessageID: Int64) -> String? {
        let user = userID ?? defaultUserID(chatID: chatID)
        return lock.withLock {
            guard let message = state.chats[chatID]?.botMessages[invoiceMessageID],
                  case .invoice(let invoice)? = message.service else { return nil }
            state.payments.querySequence += 1
            let id = 1_592_634_798_316_400_000 + state.payments.querySequence
            state.payments.queries[id] = PreCheckoutRecord(
                chatID: chatID, userID: user, invoice: invoice, injectedAt: monotonicSeconds())
            let updateID = state.nextUpdateID
            var json = "{\"update_id\":\(updateID),\"pre_checkout_query\":{\"id\":\"\(id)\",\"from\":"
            json += userJSON(profileLocked(user)) + ",\"currency\":"
            appendJSONString(invoice.currency, to: &json)
            json += ",\"total_amount\":\(invoice.totalAmount),\"invoice_payload\":"
            appendJSONString(invoice.payload, to: &json)
            json += "}}"
            state.payments.updates[updateID] = json
            enqueueLocked(json, updateID: updateID)
            return String(id)
        }
    }

    /// The bot's answer to pre-checkout query `queryID` (nil until it answered, in time or late).
    public func preCheckoutAnswer(_ queryID: String) -> PreCheckoutAnswer? {
        guard let id = Int64(queryID) else { return nil }
        return lock.withLock { state.payments.queries[id]?.answer }
    }

    /// Telegram took the money: queues a message update with `successful_payment` `{"currency",
    /// "total_amount","invoice_payload","telegram_payment_charge_id","provider_payment_charge_id"}` — a
    /// service message from the user (default: the chat's default user) in `chatID` — and returns its
    /// update_id. The message takes the chat's next user message id (`lastInjectedMessageID(chatID:)`), and
    /// the charge becomes one refundStarPayment knows (for "XTR"). Nothing is checked against the invoices.
    @discardableResult
    public func injectSuccessfulPayment(
        chatID: Int64, userID: Int64? = nil, payload: String, currency: String, totalAmount: Int64,
        telegramChargeID: String, providerChargeID: String
    ) -> Int64 {
        let user = userID ?? defaultUserID(chatID: chatID)
        let date = unixTime()
        let payment = PaymentContent(
            currency: currency, totalAmount: totalAmount, payload: payload, telegramChargeID: telegramChargeID,
            providerChargeID: providerChargeID)
        return lock.withLock {
            let profile = profileLocked(user)
            let chatText = chatID > 0 ? privateChatJSON(chatID: chatID, profile) : defaultChatJSON(chatID)
            let stored = StoredMessage(
                text: "", entities: [], markupJSON: nil, date: date, editDate: nil, linkPreviewDisabled: false,
                sender: .user(profile), service: .successfulPayment(payment))
            let messageID = { (record: inout ChatRecord) -> Int64 in
                if record.json == nil { record.json = chatText }
                let messageID = record.allocateMessageID(fromBot: false)
                record.otherMessages[messageID] = stored
                record.lastInjectedMessageID = messageID
                return messageID
            }(&state.chats[chatID, default: ChatRecord()])
            if state.payments.charges[telegramChargeID] == nil {
                state.payments.charges[telegramChargeID] = ChargeRecord(userID: user, currency: currency)
            }
            let updateID = state.nextUpdateID
            let json = "{\"update_id\":\(updateID),\"message\":" + messageJSONLocked(chat: chatID, id: messageID, stored) + "}"
            state.payments.updates[updateID] = json
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    /// Queues again, under a new update_id (which it returns), the very JSON of update `updateID` — one
    /// that `injectPreCheckoutQuery`, `injectSuccessfulPayment` or `pay` queued (or a duplicate of one) —
    /// as when Telegram delivers a payment twice. nil for any other update.
    @discardableResult
    public func injectRawDuplicate(ofUpdate updateID: Int64) -> Int64? {
        lock.withLock {
            let prefix = "{\"update_id\":\(updateID),"
            guard let json = state.payments.updates[updateID], json.hasPrefix(prefix) else { return nil }
            let newID = state.nextUpdateID
            let duplicate = "{\"update_id\":\(newID)," + json.dropFirst(prefix.count)
            state.payments.updates[newID] = duplicate
            enqueueLocked(duplicate, updateID: newID)
            return newID
        }
    }

    /// The whole checkout: `injectPreCheckoutQuery`, then waits (on the double's condition variable) for the
    /// bot's answer, at most `preCheckoutDeadlineSeconds` and at most `timeout`. Accepted in time: queues the
    /// successful payment (`injectSuccessfulPayment`) with fresh charge ids and returns `.paid`. The ids
    /// are deterministic per payment: for "XTR" the Telegram charge id is "stx" and 133 more letters,
    /// digits, "_" and "-" (real ones have been reported longer than 128 characters) and the provider
    /// charge id is "" (as Stars payments show); otherwise "tg-…" and "prov-…". Refused in time:
    /// `.declined`; no answer in time: `.noAnswer`.
    public func pay(chatID: Int64, userID: Int64? = nil, invoiceMessageID: Int64, timeout: Double = 15) -> PaymentResult {
        guard let queryID = injectPreCheckoutQuery(chatID: chatID, userID: userID, invoiceMessageID: invoiceMessageID),
              let id = Int64(queryID) else { return .noSuchInvoice }
        let deadline = preCheckoutDeadlineSeconds
        _ = wait(timeout: min(timeout, deadline)) { self.preCheckoutAnswer(queryID) != nil }
        guard let answer = preCheckoutAnswer(queryID), answer.inTime else { return .noAnswer }
        guard answer.ok else { return .declined(errorMessage: answer.errorMessage ?? "") }
        let (record, sequence) = lock.withLock { () -> (PreCheckoutRecord?, Int64) in
            state.payments.chargeSequence += 1
            return (state.payments.queries[id], state.payments.chargeSequence)
        }
        guard let record else { return .noAnswer }
        let isStars = record.invoice.currency == "XTR"
        let telegramChargeID = isStars
            ? "stx" + chargeToken(sequence, salt: 1, length: 133) : "tg-" + chargeToken(sequence, salt: 2, length: 24)
        let providerChargeID = isStars ? "" : "prov-" + chargeToken(sequence, salt: 3, length: 24)
        let updateID = injectSuccessfulPayment(
            chatID: record.chatID, userID: record.userID, payload: record.invoice.payload,
            currency: record.invoice.currency, totalAmount: record.invoice.totalAmount,
            telegramChargeID: telegramChargeID, providerChargeID: providerChargeID)
        return .paid(telegramChargeID: telegramChargeID, providerChargeID: providerChargeID, updateID: updateID)
    }

    /// `pay` for async code: the waiting happens on a background queue, not on the caller's executor.
    public func payAsync(
        chatID: Int64, userID: Int64? = nil, invoiceMessageID: Int64, timeout: Double = 15
    ) async -> PaymentResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<PaymentResult, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: self.pay(
                    chatID: chatID, userID: userID, invoiceMessageID: invoiceMessageID, timeout: timeout))
            }
        }
    }

    // MARK: - Observing

    /// Every invoice the bot sent (successful sendInvoice calls), in order.
    public func sentInvoices() -> [SentInvoice] {
        lock.withLock { state.payments.sentInvoices }
    }

    /// `sentInvoices()` to one chat.
    public func sentInvoices(to chatID: Int64) -> [SentInvoice] {
        lock.withLock { state.payments.sentInvoices.filter { $0.chatID == chatID } }
    }

    /// The message ids of the invoices the bot sent to `chatID` that still exist, in order.
    public func invoiceMessageIDs(in chatID: Int64) -> [Int64] {
        lock.withLock {
            state.payments.sentInvoices.compactMap { invoice in
                invoice.chatID == chatID && state.chats[chatID]?.botMessages[invoice.messageID] != nil
                    ? invoice.messageID : nil
            }
        }
    }

    /// Successful refundStarPayment calls, in order.
    public func refunds() -> [Refund] {
        lock.withLock { state.payments.refunds }
    }

    // MARK: - sendInvoice

    /// sendInvoice → the Message with `invoice` `{"title","description","start_parameter","currency",
    /// "total_amount"}`. Checks in the server's order:
    /// 1. telegram-bot-api: title, description, payload, currency, prices required (`parameter "title" is
    ///    required` …); prices JSON ("can't parse prices JSON object", "expected an Array of labeled prices",
    ///    "there must be at least one price", "can't parse labeled price: …"); max_tip_amount and
    ///    suggested_tip_amounts; reply_parameters; reply_markup; chat_id.
    /// 2. Under the lock, as for sendMessage: blocked (403), thread, replied message.
    /// 3. TDLib: each amount within ±999999999999 ("too big amount of the currency specified"), the total
    ///    positive ("total price must be positive") and not too big, the tips.
    /// 4. Telegram: payload over 128 bytes → INVOICE_PAYLOAD_INVALID; "XTR" with a provider token, more than
    ///    one price or tips → STARS_INVOICE_INVALID (verified for tips only); any other currency without a
    ///    provider token → PAYMENT_PROVIDER_INVALID; a currency not of three capital letters, or a total
    ///    outside `invoiceTotalLimits` → CURRENCY_TOTAL_AMOUNT_INVALID (the former unverified); a keyboard
    ///    whose first button is not a Pay button → BUTTON_POS_INVALID if another one is, else
    ///    REPLY_MARKUP_BUY_EMPTY; a title over 32 or a description over 255 characters → MEDIA_INVALID
    ///    (unverified: Telegram's code for these is not documented).
    /// 5. A closed topic, then flood control (an invoice counts as a send).
    /// The invoice message is the bot's (replies to it, callbacks under it); it cannot be copied or edited
    /// as text. need_* flags and photo_url are accepted and not shown.
    func sendInvoice(_ parameters: [String: String]) -> HTTPResponse {
        let method = "sendinvoice"
        let invoice: InvoiceContent, tips: TipSettings, reply: ReplyRequest, markup: PreparedMarkup?, chat: Int64
        do throws(APIError) {
            (invoice, tips) = try invoiceParameters(parameters).get()
            reply = try replyRequest(parameters).get()
            markup = try prepareMarkup(parameters["reply_markup"]).get()
            chat = try chatID(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let thread = requestedThread(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            let placement: Placement
            switch placeLocked(chat: chat, thread: thread, reply: reply) {
            case .success(let value): placement = value
            case .failure(let error): return fail(error)
            }
            if let error = tdlibInvoiceError(invoice, tips) ?? telegramInvoiceError(invoice, tips, markup) {
                return fail(error)
            }
            if let error = topicClosedLocked(chat: chat, thread: placement.threadID) { return fail(error) }
            if let refused = floodControlLocked(method, parameters, chat: chat) { return refused }

            let stored = StoredMessage(
                text: "", entities: [], markupJSON: markup?.json, date: date, editDate: nil, linkPreviewDisabled: false,
                threadID: placement.threadID, replyTo: placement.replyTo, service: .invoice(invoice))
            let messageID = storeBotMessageLocked(chat: chat, stored)
            state.payments.sentInvoices.append(SentInvoice(
                messageID: messageID, chatID: chat, title: invoice.title, description: invoice.description,
                payload: invoice.payload, providerToken: invoice.providerToken, currency: invoice.currency,
                prices: invoice.prices, totalAmount: invoice.totalAmount, startParameter: invoice.startParameter,
                replyToMessageID: reply.messageID, threadID: placement.threadID, replyMarkupJSON: markup?.json,
                callbackData: markup?.callbackData ?? []))
            let response = HTTPResponse.ok(messageJSONLocked(chat: chat, id: messageID, stored))
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// The invoice parameters as telegram-bot-api's get_input_message_invoice reads them.
    private func invoiceParameters(_ parameters: [String: String]) -> Result<(InvoiceContent, TipSettings), APIError> {
        func required(_ name: String) -> Result<String, APIError> {
            guard let value = parameters[name], !value.isEmpty else {
                return .failure(.badRequest("parameter \"\(name)\" is required"))
            }
            return .success(value)
        }
        do throws(APIError) {
            let title = try required("title").get()
            let description = try required("description").get()
            let payload = try required("payload").get()
            let currency = try required("currency").get()
            guard let pricesValue = JSONParser.parse(try required("prices").get()) else {
                throw APIError.badRequest("can't parse prices JSON object")
            }
            let prices = try labeledPrices(pricesValue).get()
            var tips = TipSettings(maximum: 0, suggested: [])
            if let raw = parameters["max_tip_amount"], !raw.isEmpty {
                guard let maximum = Int64(raw) else { throw APIError.badRequest("can't parse \"max_tip_amount\" as Number") }
                tips.maximum = maximum
            }
            if let raw = parameters["suggested_tip_amounts"], !raw.isEmpty {
                guard let value = JSONParser.parse(raw) else {
                    throw APIError.badRequest("can't parse suggested_tip_amounts JSON object")
                }
                guard let items = value.arrayValue else {
                    throw APIError.badRequest("expected an Array of suggested tip amounts")
                }
                for item in items {
                    let text: String
                    switch item {
                    case .number(let number), .string(let number): text = number
                    default: throw APIError.badRequest("suggested tip amount must be of type Number or String")
                    }
                    guard let amount = Int64(text) else { throw APIError.badRequest("can't parse suggested tip amount as Number") }
                    tips.suggested.append(amount)
                }
            }
            // The sum wraps only far beyond the ±999999999999 TDLib allows for each part.
            let total = prices.reduce(Int64(0)) { $0 &+ $1.amount }
            let invoice = InvoiceContent(
                title: title, description: description, startParameter: parameters["start_parameter"] ?? "",
                currency: currency, totalAmount: total, payload: payload, providerToken: parameters["provider_token"] ?? "",
                prices: prices)
            return .success((invoice, tips))
        } catch {
            return .failure(error)
        }
    }

    /// `prices` as get_labeled_price_parts reads it (a label may be a JSON number; an amount a string).
    private func labeledPrices(_ value: JSONValue) -> Result<[LabeledPrice], APIError> {
        guard let items = value.arrayValue else { return .failure(.badRequest("expected an Array of labeled prices")) }
        var prices: [LabeledPrice] = []
        for item in items {
            let prefix = "can't parse labeled price: "
            guard item.isObject else { return .failure(.badRequest(prefix + "LabeledPrice must be an Object")) }
            let label: String
            switch item["label"] {
            case nil: return .failure(.badRequest(prefix + "Can't find field \"label\""))
            case .string(let text)?, .number(let text)?: label = text
            default: return .failure(.badRequest(prefix + "Field \"label\" must be of type String"))
            }
            if label.isEmpty { return .failure(.badRequest(prefix + "LabeledPrice label must be non-empty")) }
            let amount: Int64
            switch item["amount"] {
            case nil: return .failure(.badRequest(prefix + "Can't find field \"amount\""))
            case .string(let text)?, .number(let text)?:
                guard let parsed = Int64(text) else {
                    return .failure(.badRequest(prefix + "Field \"amount\" must be a valid Number"))
                }
                amount = parsed
            default: return .failure(.badRequest(prefix + "Field \"amount\" must be a Number"))
            }
            prices.append(LabeledPrice(label: label, amount: amount))
        }
        if prices.isEmpty { return .failure(.badRequest("there must be at least one price")) }
        return .success(prices)
    }

    /// TDLib's checks (LabeledPricePart::get_labeled_price_parts, InputInvoice).
    private func tdlibInvoiceError(_ invoice: InvoiceContent, _ tips: TipSettings) -> APIError? {
        let maxAmount: Int64 = 9999_9999_9999
        if invoice.prices.contains(where: { $0.amount.magnitude > maxAmount.magnitude }) {
            return .badRequest("too big amount of the currency specified")
        }
        if invoice.totalAmount <= 0 { return .badRequest("total price must be positive") }
        if invoice.totalAmount > maxAmount { return .badRequest("total price is too big") }
        if tips.maximum < 0 || tips.maximum > maxAmount { return .badRequest("invalid max_tip_amount of the currency specified") }
        for tip in tips.suggested {
            if tip <= 0 { return .badRequest("suggested tip amount must be positive") }
            if tip > tips.maximum { return .badRequest("suggested tip amount can't be bigger than max_tip_amount") }
        }
        if tips.suggested.count > 4 { return .badRequest("there can be at most 4 suggested tip amounts") }
        return nil
    }

    /// What Telegram's server refuses (see `sendInvoice`). Call with the lock held.
    private func telegramInvoiceError(_ invoice: InvoiceContent, _ tips: TipSettings, _ markup: PreparedMarkup?) -> APIError? {
        if invoice.payload.utf8.count > 128 { return .badRequest("INVOICE_PAYLOAD_INVALID") }
        if invoice.currency == "XTR" {
            if !invoice.providerToken.isEmpty || invoice.prices.count != 1 || tips.maximum > 0 || !tips.suggested.isEmpty {
                return .badRequest("STARS_INVOICE_INVALID")
            }
        } else if invoice.providerToken.isEmpty {
            return .badRequest("PAYMENT_PROVIDER_INVALID")
        }
        let isCurrencyCode = invoice.currency.utf8.count == 3 && invoice.currency.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
        if !isCurrencyCode { return .badRequest("CURRENCY_TOTAL_AMOUNT_INVALID") }
        if let limits = state.payments.totalLimits[invoice.currency], !limits.contains(invoice.totalAmount) {
            return .badRequest("CURRENCY_TOTAL_AMOUNT_INVALID")
        }
        if let markup {
            let rows = JSONParser.parse(markup.json)?["inline_keyboard"]?.arrayValue ?? []
            let buttons = rows.flatMap { $0.arrayValue ?? [] }
            if buttons.first?["pay"] == nil {
                return .badRequest(buttons.contains { $0["pay"] != nil } ? "BUTTON_POS_INVALID" : "REPLY_MARKUP_BUY_EMPTY")
            }
        }
        if invoice.title.unicodeScalars.count > 32 || invoice.description.unicodeScalars.count > 255 {
            return .badRequest("MEDIA_INVALID")
        }
        return nil
    }

    // MARK: - answerPreCheckoutQuery

    /// answerPreCheckoutQuery → true. `ok` false without `error_message` → `parameter "error_message" is
    /// required` (checked first, as telegram-bot-api does); an unknown id, a second answer, or an answer
    /// after `preCheckoutDeadlineSeconds` → "query is too old and response timeout expired or query ID is
    /// invalid" (QUERY_ID_INVALID; for a second answer inferred, not observed). The first answer is
    /// recorded even when late (`preCheckoutAnswer`), and a late one declines the checkout.
    func answerPreCheckoutQuery(_ parameters: [String: String]) -> HTTPResponse {
        let method = "answerprecheckoutquery"
        let ok = parseBotAPIBool(parameters["ok"] ?? "")
        let errorMessage = parameters["error_message"] ?? ""
        if !ok && errorMessage.isEmpty {
            return respond(method, parameters, APIError.badRequest("parameter \"error_message\" is required").response)
        }
        let id = parameters["pre_checkout_query_id"].flatMap(parseInteger) ?? 0
        let now = monotonicSeconds()
        return lock.withLock {
            let invalid = APIError.badRequest("query is too old and response timeout expired or query ID is invalid")
            guard let record = state.payments.queries[id], record.answer == nil else {
                return failLocked(method, parameters, invalid)
            }
            let elapsed = now - record.injectedAt
            let inTime = elapsed <= state.payments.preCheckoutDeadline
            state.payments.queries[id]?.answer = PreCheckoutAnswer(
                ok: ok, errorMessage: ok ? nil : errorMessage, secondsAfterQuery: elapsed, inTime: inTime)
            guard inTime else { return failLocked(method, parameters, invalid) }
            let response = HTTPResponse.ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    // MARK: - refundStarPayment

    /// refundStarPayment → true. A missing or non-positive user_id → "invalid user_id specified"; a missing
    /// charge id → `parameter "telegram_payment_charge_id" is required`; a charge the double does not know
    /// as this user's Stars payment (unknown, another user's, or not in "XTR") → CHARGE_NOT_FOUND (verified
    /// for an unknown id only); refunded before → CHARGE_ALREADY_REFUNDED. No refunded_payment message is queued.
    func refundStarPayment(_ parameters: [String: String]) -> HTTPResponse {
        let method = "refundstarpayment"
        let user = max(0, parameters["user_id"].flatMap(parseInteger) ?? 0)
        guard user > 0 else { return respond(method, parameters, APIError.badRequest("invalid user_id specified").response) }
        guard let chargeID = parameters["telegram_payment_charge_id"], !chargeID.isEmpty else {
            return respond(method, parameters, APIError.badRequest("parameter \"telegram_payment_charge_id\" is required").response)
        }
        return lock.withLock {
            guard let charge = state.payments.charges[chargeID], charge.userID == user, charge.currency == "XTR" else {
                return failLocked(method, parameters, .badRequest("CHARGE_NOT_FOUND"))
            }
            if charge.refunded { return failLocked(method, parameters, .badRequest("CHARGE_ALREADY_REFUNDED")) }
            state.payments.charges[chargeID]?.refunded = true
            state.payments.refunds.append(Refund(userID: user, telegramChargeID: chargeID))
            let response = HTTPResponse.ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    // MARK: - JSON

    /// `"invoice":{…}` as telegram-bot-api's JsonInvoice writes it (start_parameter always present).
    func invoiceJSON(_ invoice: InvoiceContent) -> String {
        var json = "\"invoice\":{\"title\":"
        appendJSONString(invoice.title, to: &json)
        json += ",\"description\":"
        appendJSONString(invoice.description, to: &json)
        json += ",\"start_parameter\":"
        appendJSONString(invoice.startParameter, to: &json)
        json += ",\"currency\":"
        appendJSONString(invoice.currency, to: &json)
        return json + ",\"total_amount\":\(invoice.totalAmount)}"
    }

    /// `"successful_payment":{…}` as JsonSuccessfulPaymentBot writes it.
    func successfulPaymentJSON(_ payment: PaymentContent) -> String {
        var json = "\"successful_payment\":{\"currency\":"
        appendJSONString(payment.currency, to: &json)
        json += ",\"total_amount\":\(payment.totalAmount),\"invoice_payload\":"
        appendJSONString(payment.payload, to: &json)
        json += ",\"telegram_payment_charge_id\":"
        appendJSONString(payment.telegramChargeID, to: &json)
        json += ",\"provider_payment_charge_id\":"
        appendJSONString(payment.providerChargeID, to: &json)
        return json + "}"
    }

    /// `length` characters of [A-Za-z0-9_-], the same for the same `sequence` and `salt` (splitmix64).
    private func chargeToken(_ sequence: Int64, salt: UInt64, length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        var seed = UInt64(bitPattern: sequence) &* 0x9E37_79B9_7F4A_7C15 &+ salt
        var token = ""
        token.reserveCapacity(length)
        while token.count < length {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var mixed = seed
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            for _ in 0..<10 where token.count < length {
                token.append(alphabet[Int(mixed & 63)])
                mixed >>= 6
            }
        }
        return token
    }
}

/// An invoice message's content.
struct InvoiceContent: Equatable {
    var title: String
    var description: String
    var startParameter: String
    var currency: String
    var totalAmount: Int64
    var payload: String
    var providerToken: String
    var prices: [BotAPIDouble.LabeledPrice]
}

/// A successful_payment service message's content.
struct PaymentContent: Equatable {
    var currency: String
    var totalAmount: Int64
    var payload: String
    var telegramChargeID: String
    var providerChargeID: String
}

/// sendInvoice's max_tip_amount and suggested_tip_amounts.
struct TipSettings {
    var maximum: Int64
    var suggested: [Int64]
}

/// A pre-checkout query the double queued.
struct PreCheckoutRecord {
    var chatID: Int64
    var userID: Int64
    var invoice: InvoiceContent
    /// `monotonicSeconds()` when it was queued.
    var injectedAt: Double
    var answer: BotAPIDouble.PreCheckoutAnswer? = nil
}

/// A charge from a successful payment, for refundStarPayment.
struct ChargeRecord {
    var userID: Int64
    var currency: String
    var refunded = false
}

/// What the double remembers about payments (part of `State`, guarded by the lock).
struct PaymentState {
    var preCheckoutDeadline: Double = 10
    var totalLimits: [String: ClosedRange<Int64>] = ["XTR": 1...100_000]
    var sentInvoices: [BotAPIDouble.SentInvoice] = []
    var querySequence: Int64 = 0
    /// Pre-checkout queries by id.
    var queries: [Int64: PreCheckoutRecord] = [:]
    var chargeSequence: Int64 = 0
    /// Charges by telegram_payment_charge_id.
    var charges: [String: ChargeRecord] = [:]
    var refunds: [BotAPIDouble.Refund] = []
    /// The JSON of the payment updates queued, by update_id (for `injectRawDuplicate`).
    var updates: [Int64: String] = [:]
}
