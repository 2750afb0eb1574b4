import Foundation
import Testing
@testable import BotAPIDouble

/// The double's payments over real HTTP (`TestClient` of BotAPIDoubleTests): sendInvoice,
/// answerPreCheckoutQuery with its deadline, refundStarPayment, and the paying user (`pay`,
/// `injectPreCheckoutQuery`, `injectSuccessfulPayment`, `injectRawDuplicate`).
@Suite struct BotAPIDoublePaymentsTests: DoubleMethodCalls {
    let token = "123456:TEST-token"
    static let customer: Int64 = 5_001

    /// The pending updates' objects (waiting up to `timeout` seconds for one), confirming them.
    func takeUpdates(_ double: BotAPIDouble, timeout: Int = 0) throws -> [[String: Any]] {
        let updates = try call(double, "getUpdates", ["timeout": timeout]).resultArray
        if let last = updates.last?["update_id"] as? Int64 { _ = try call(double, "getUpdates", ["offset": last + 1]) }
        return updates
    }

    /// A valid Stars invoice to `chat`, with `extra` parameters on top.
    func starsInvoice(_ chat: Int64, _ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "chat_id": chat, "title": "30 天会员", "description": "一个月的全部功能", "payload": "order:42",
            "currency": "XTR", "prices": [["label": "会员", "amount": 250]],
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    /// Sends `starsInvoice(chat)` and returns the invoice message's id.
    func sendStarsInvoice(_ double: BotAPIDouble, _ chat: Int64, _ extra: [String: Any] = [:]) throws -> Int64 {
        let sent = try call(double, "sendInvoice", starsInvoice(chat, extra))
        #expect(sent.status == 200, "\(sent.body)")
        return try #require(sent.resultObject["message_id"] as? Int64)
    }

    /// What the bot does at checkout: takes the pre_checkout_query (long poll) and answers it.
    @discardableResult
    func answerNextCheckout(_ double: BotAPIDouble, ok: Bool, errorMessage: String? = nil) throws -> [String: Any] {
        let update = try #require(try takeUpdates(double, timeout: 10).first)
        let query = try #require(update["pre_checkout_query"] as? [String: Any])
        var body: [String: Any] = ["pre_checkout_query_id": try #require(query["id"] as? String), "ok": ok]
        if let errorMessage { body["error_message"] = errorMessage }
        let answer = try call(double, "answerPreCheckoutQuery", body)
        #expect(answer.body == #"{"ok":true,"result":true}"#)
        return query
    }

    /// `pay` on a background thread while this thread plays the bot that accepts the checkout.
    func payAccepted(_ double: BotAPIDouble, chat: Int64, invoice: Int64) throws -> BotAPIDouble.PaymentResult {
        let payment = Background { double.pay(chatID: chat, invoiceMessageID: invoice) }
        try answerNextCheckout(double, ok: true)
        return try #require(payment.value(timeout: 15))
    }

    // MARK: - sendInvoice

    @Test func sendInvoiceAnswersTheInvoiceMessageAndRecordsIt() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        double.injectMessage(chatID: chat, text: "/buy")
        let asked = try #require(double.lastInjectedMessageID(chatID: chat))
        let markup: [String: Any] = ["inline_keyboard": [
            [["text": "支付 ⭐️250", "pay": true]], [["text": "取消", "callback_data": "buy:cancel"]],
        ]]
        let sent = try call(double, "sendInvoice", starsInvoice(chat, [
            "reply_parameters": ["message_id": asked], "start_parameter": "vip30", "reply_markup": markup,
            "provider_token": "", "need_name": true, "photo_url": "https://example.com/vip.png",
        ]))
        #expect(sent.status == 200, "\(sent.body)")
        let message = sent.resultObject
        #expect(message["message_id"] as? Int64 == 1000)
        #expect((message["from"] as? [String: Any])?["is_bot"] as? Bool == true)
        #expect((message["chat"] as? [String: Any])?["id"] as? Int64 == chat)
        #expect(message["text"] == nil)
        let invoice = try #require(message["invoice"] as? [String: Any])
        #expect(invoice.count == 5)
        #expect(invoice["title"] as? String == "30 天会员")
        #expect(invoice["description"] as? String == "一个月的全部功能")
        #expect(invoice["start_parameter"] as? String == "vip30")
        #expect(invoice["currency"] as? String == "XTR")
        #expect(invoice["total_amount"] as? Int == 250)
        #expect((message["reply_to_message"] as? [String: Any])?["text"] as? String == "/buy")
        #expect(message["reply_markup"] != nil)
        // The invoice object comes before reply_markup, as the server writes it.
        let invoiceAt = try #require(sent.body.range(of: "\"invoice\":"))
        let markupAt = try #require(sent.body.range(of: "\"reply_markup\":"))
        #expect(invoiceAt.lowerBound < markupAt.lowerBound)

        #expect(double.sentInvoices(to: chat) == [BotAPIDouble.SentInvoice(
            messageID: 1000, chatID: chat, title: "30 天会员", description: "一个月的全部功能", payload: "order:42",
            providerToken: "", currency: "XTR", prices: [.init(label: "会员", amount: 250)], totalAmount: 250,
            startParameter: "vip30", replyToMessageID: asked, threadID: nil,
            replyMarkupJSON: #"{"inline_keyboard":[[{"pay":true,"text":"支付 ⭐️250"}],[{"callback_data":"buy:cancel","text":"取消"}]]}"#,
            callbackData: ["buy:cancel"])])
        #expect(double.sentInvoices(to: chat + 1).isEmpty)
        #expect(double.sentMessages().isEmpty, "an invoice is not a SentMessage")

        // A fiat invoice: several prices (a discount too), the provider token, no keyboard, no start_parameter.
        let fiat = try call(double, "sendInvoice", [
            "chat_id": chat, "title": "Top-up", "description": "Mobile credit", "payload": "topup:7",
            "provider_token": "284685063:TEST:abc", "currency": "CNY",
            "prices": #"[{"label":"Credit","amount":"10000"},{"label":"Fee","amount":300},{"label":"Coupon","amount":-500}]"#,
        ])
        #expect(fiat.status == 200, "\(fiat.body)")
        #expect((fiat.resultObject["invoice"] as? [String: Any])?["total_amount"] as? Int == 9800)
        #expect((fiat.resultObject["invoice"] as? [String: Any])?["start_parameter"] as? String == "")
        #expect(fiat.resultObject["reply_markup"] == nil)
        let fiatInvoice = try #require(double.sentInvoices().last)
        #expect(fiatInvoice.prices.map(\.amount) == [10_000, 300, -500])
        #expect(fiatInvoice.providerToken == "284685063:TEST:abc")
        #expect(fiatInvoice.messageID == 1001)
        #expect(double.invoiceMessageIDs(in: chat) == [1000, 1001])
        #expect(double.acceptedSends().map(\.method) == ["sendinvoice", "sendinvoice"])

        // The invoice is the bot's message: replies and callbacks show it; it is neither text nor copyable.
        let reply = try call(double, "sendMessage", ["chat_id": chat, "text": "付款后自动开通", "reply_parameters": ["message_id": 1000]])
        let replied = try #require(reply.resultObject["reply_to_message"] as? [String: Any])
        #expect((replied["invoice"] as? [String: Any])?["payload"] == nil, "the payload is not shown")
        #expect((replied["invoice"] as? [String: Any])?["total_amount"] as? Int == 250)
        double.injectCallback(chatID: chat, messageID: 1000, data: "buy:cancel")
        _ = try takeUpdates(double)  // the /buy message
        expectError(try call(double, "editMessageText", ["chat_id": chat, "message_id": 1000, "text": "x"]),
                    "Bad Request: there is no text in the message to edit")
        expectError(try call(double, "copyMessage", ["chat_id": chat, "from_chat_id": chat, "message_id": 1000]),
                    "Bad Request: can't copy message")
    }

    @Test(arguments: [
        (["title": ""], #"Bad Request: parameter "title" is required"#),
        (["description": ""], #"Bad Request: parameter "description" is required"#),
        (["payload": ""], #"Bad Request: parameter "payload" is required"#),
        (["currency": ""], #"Bad Request: parameter "currency" is required"#),
        (["prices": ""], #"Bad Request: parameter "prices" is required"#),
        (["prices": "[{"], "Bad Request: can't parse prices JSON object"),
        (["prices": #"{"label":"a","amount":1}"#], "Bad Request: expected an Array of labeled prices"),
        (["prices": "[]"], "Bad Request: there must be at least one price"),
        (["prices": "[5]"], "Bad Request: can't parse labeled price: LabeledPrice must be an Object"),
        (["prices": #"[{"amount":1}]"#], #"Bad Request: can't parse labeled price: Can't find field "label""#),
        (["prices": #"[{"label":true,"amount":1}]"#], #"Bad Request: can't parse labeled price: Field "label" must be of type String"#),
        (["prices": #"[{"label":"","amount":1}]"#], "Bad Request: can't parse labeled price: LabeledPrice label must be non-empty"),
        (["prices": #"[{"label":"a"}]"#], #"Bad Request: can't parse labeled price: Can't find field "amount""#),
        (["prices": #"[{"label":"a","amount":1.5}]"#], #"Bad Request: can't parse labeled price: Field "amount" must be a valid Number"#),
        (["prices": #"[{"label":"a","amount":"ten"}]"#], #"Bad Request: can't parse labeled price: Field "amount" must be a valid Number"#),
        (["prices": #"[{"label":"a","amount":null}]"#], #"Bad Request: can't parse labeled price: Field "amount" must be a Number"#),
        (["max_tip_amount": "a lot"], #"Bad Request: can't parse "max_tip_amount" as Number"#),
        (["suggested_tip_amounts": "[1,"], "Bad Request: can't parse suggested_tip_amounts JSON object"),
        (["suggested_tip_amounts": "5"], "Bad Request: expected an Array of suggested tip amounts"),
        (["suggested_tip_amounts": "[true]"], "Bad Request: suggested tip amount must be of type Number or String"),
        (["reply_markup": "{"], "Bad Request: can't parse reply keyboard markup JSON object"),
        (["chat_id": ""], "Bad Request: chat_id is empty"),
    ] as [([String: String], String)])
    func sendInvoiceParameterErrors(extra: [String: String], description: String) throws {
        let double = try makeDouble()
        defer { double.stop() }
        // A blocked chat: these are all found before the chat is looked at.
        double.blockChat(Self.customer)
        expectError(try call(double, "sendInvoice", starsInvoice(Self.customer, extra)), description)
        #expect(double.sentInvoices().isEmpty)
        #expect(double.calls("sendInvoice").map(\.httpStatus) == [400])
    }

    @Test(arguments: [
        // TDLib
        (["prices": #"[{"label":"a","amount":1000000000000}]"#, "currency": "USD", "provider_token": "t"],
         "Bad Request: too big amount of the currency specified"),
        (["prices": #"[{"label":"a","amount":100},{"label":"b","amount":-100}]"#, "currency": "USD", "provider_token": "t"],
         "Bad Request: total price must be positive"),
        (["prices": #"[{"label":"a","amount":0}]"#], "Bad Request: total price must be positive"),
        (["prices": #"[{"label":"a","amount":999999999999},{"label":"b","amount":1}]"#, "currency": "USD", "provider_token": "t"],
         "Bad Request: total price is too big"),
        (["max_tip_amount": "-1"], "Bad Request: invalid max_tip_amount of the currency specified"),
        (["max_tip_amount": "100", "suggested_tip_amounts": "[0]"], "Bad Request: suggested tip amount must be positive"),
        (["max_tip_amount": "100", "suggested_tip_amounts": "[50,150]"],
         "Bad Request: suggested tip amount can't be bigger than max_tip_amount"),
        (["max_tip_amount": "100", "suggested_tip_amounts": "[1,2,3,4,5]"], "Bad Request: there can be at most 4 suggested tip amounts"),
        // Telegram
        (["payload": String(repeating: "包", count: 43)], "Bad Request: INVOICE_PAYLOAD_INVALID"),  // 129 bytes
        (["provider_token": "284685063:TEST:abc"], "Bad Request: STARS_INVOICE_INVALID"),
        (["prices": #"[{"label":"a","amount":100},{"label":"b","amount":1}]"#], "Bad Request: STARS_INVOICE_INVALID"),
        (["max_tip_amount": "100", "suggested_tip_amounts": "[10]"], "Bad Request: STARS_INVOICE_INVALID"),
        (["currency": "USD"], "Bad Request: PAYMENT_PROVIDER_INVALID"),
        (["currency": "xtr"], "Bad Request: PAYMENT_PROVIDER_INVALID"),
        (["currency": "usd", "provider_token": "t"], "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        (["prices": #"[{"label":"a","amount":100001}]"#], "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        (["reply_markup": #"{"inline_keyboard":[[{"text":"x","callback_data":"x"},{"text":"Pay","pay":true}]]}"#],
         "Bad Request: BUTTON_POS_INVALID"),
        (["reply_markup": #"{"inline_keyboard":[[{"text":"x","callback_data":"x"}]]}"#], "Bad Request: REPLY_MARKUP_BUY_EMPTY"),
        (["reply_markup": #"{"keyboard":[["a"]]}"#], "Bad Request: REPLY_MARKUP_BUY_EMPTY"),
        (["title": String(repeating: "会", count: 33)], "Bad Request: MEDIA_INVALID"),
        (["description": String(repeating: "d", count: 256)], "Bad Request: MEDIA_INVALID"),
    ] as [([String: String], String)])
    func sendInvoiceContentErrors(extra: [String: String], description: String) throws {
        let double = try makeDouble()
        defer { double.stop() }
        expectError(try call(double, "sendInvoice", starsInvoice(Self.customer, extra)), description)
        #expect(double.sentInvoices().isEmpty)
        #expect(double.acceptedSends().isEmpty)
        // These are found after the chat: a blocked chat is answered 403 first.
        double.blockChat(Self.customer)
        expectError(try call(double, "sendInvoice", starsInvoice(Self.customer, extra)),
                    "Forbidden: bot was blocked by the user", status: 403)
    }

    @Test func sendInvoiceLimitsAtTheirEdges() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        // 128 bytes of payload, 32 characters of title (code points), 255 of description, 100000 Stars.
        let edge = try call(double, "sendInvoice", starsInvoice(chat, [
            "payload": String(repeating: "a", count: 2) + String(repeating: "包", count: 42),
            "title": String(repeating: "会", count: 32), "description": String(repeating: "描", count: 255),
            "prices": [["label": "全部", "amount": 100_000]],
        ]))
        #expect(edge.status == 200, "\(edge.body)")
        #expect(try sendStarsInvoice(double, chat, ["prices": [["label": "一颗", "amount": 1]]]) == 1001)
        // The limits can be changed.
        double.invoiceTotalLimits["XTR"] = 1...10_000
        expectError(try call(double, "sendInvoice", starsInvoice(chat, ["prices": [["label": "a", "amount": 10_001]]])),
                    "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        double.invoiceTotalLimits["USD"] = 100...1_000_000
        expectError(try call(double, "sendInvoice", [
            "chat_id": chat, "title": "t", "description": "d", "payload": "p", "provider_token": "t", "currency": "USD",
            "prices": [["label": "a", "amount": 99]],
        ]), "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        #expect(double.sentInvoices().map(\.totalAmount) == [100_000, 1])
    }

    @Test func sendInvoiceToABlockedChatIsForbiddenAndCountsAsASend() throws {
        let double = try makeDouble(limits: .telegram)
        defer { double.stop() }
        double.blockChat(Self.customer)
        let blocked = try call(double, "sendInvoice", starsInvoice(Self.customer))
        #expect(blocked.status == 403)
        #expect(blocked.body == #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#)

        // Flood control: three at once to one chat pass, the fourth is refused with retry_after.
        let chat = Self.customer + 1
        for _ in 0..<3 { _ = try sendStarsInvoice(double, chat) }
        let fourth = try call(double, "sendInvoice", starsInvoice(chat))
        #expect(fourth.status == 429)
        #expect(fourth.description?.hasPrefix("Too Many Requests: retry after ") == true)
        #expect(double.tooManyRequestsSent(to: chat) == 1)
        #expect(double.sentInvoices(to: chat).count == 3)
        #expect(double.acceptedSends().filter { $0.method == "sendinvoice" }.count == 3)
    }

    @Test func sendInvoiceInAForumTopic() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let forum: Int64 = -1_001_000_000_077
        double.makeForum(chatID: forum)
        let topic = double.createTopic(chatID: forum, name: "订单")
        let sent = try call(double, "sendInvoice", starsInvoice(forum, ["message_thread_id": topic]))
        #expect(sent.resultObject["message_thread_id"] as? Int64 == topic)
        #expect(sent.resultObject["is_topic_message"] as? Bool == true)
        #expect(double.sentInvoices(to: forum).first?.threadID == topic)
        expectError(try call(double, "sendInvoice", starsInvoice(forum, ["message_thread_id": 999])),
                    "Bad Request: message thread not found")
        // A deleted topic takes its invoice with it.
        double.deleteTopic(chatID: forum, threadID: topic)
        #expect(double.invoiceMessageIDs(in: forum).isEmpty)
        let gone = try #require(double.sentInvoices().first?.messageID)
        #expect(double.injectPreCheckoutQuery(chatID: forum, userID: 7, invoiceMessageID: gone) == nil)
    }

    // MARK: - Pre-checkout queries

    @Test func preCheckoutQueriesAreAnsweredOnce() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        double.injectMessage(chatID: chat, text: "/buy", firstName: "阿明", username: "aming")
        _ = try takeUpdates(double)
        let invoice = try sendStarsInvoice(double, chat)
        #expect(double.injectPreCheckoutQuery(chatID: chat, invoiceMessageID: invoice + 1) == nil)
        #expect(double.injectPreCheckoutQuery(chatID: chat + 1, invoiceMessageID: invoice) == nil)
        let plain = try #require(try call(double, "sendMessage", ["chat_id": chat, "text": "hi"]).resultObject["message_id"] as? Int64)
        #expect(double.injectPreCheckoutQuery(chatID: chat, invoiceMessageID: plain) == nil, "not an invoice")

        let queryID = try #require(double.injectPreCheckoutQuery(chatID: chat, invoiceMessageID: invoice))
        #expect(Int64(queryID) != nil, "a decimal id, as Telegram's")
        let update = try #require(try takeUpdates(double).first)
        let query = try #require(update["pre_checkout_query"] as? [String: Any])
        #expect(query["id"] as? String == queryID)
        #expect(query["currency"] as? String == "XTR")
        #expect(query["total_amount"] as? Int == 250)
        #expect(query["invoice_payload"] as? String == "order:42")
        let from = try #require(query["from"] as? [String: Any])
        #expect(from["id"] as? Int64 == chat)
        #expect(from["first_name"] as? String == "阿明")
        #expect(from["username"] as? String == "aming")
        #expect(double.preCheckoutAnswer(queryID) == nil)

        let tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"
        // error_message is checked before the id.
        expectError(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": queryID, "ok": false]),
                    #"Bad Request: parameter "error_message" is required"#)
        expectError(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": "123", "ok": "false"]),
                    #"Bad Request: parameter "error_message" is required"#)
        expectError(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": "123", "ok": true]), tooOld)
        expectError(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": "QUERY_ID", "ok": true]), tooOld)
        #expect(double.preCheckoutAnswer(queryID) == nil, "refused calls are no answer")

        let answer = try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": queryID, "ok": true])
        #expect(answer.body == #"{"ok":true,"result":true}"#)
        let recorded = try #require(double.preCheckoutAnswer(queryID))
        #expect(recorded.ok && recorded.inTime && recorded.errorMessage == nil)
        #expect(recorded.secondsAfterQuery >= 0 && recorded.secondsAfterQuery < 10)
        // A second answer is refused and changes nothing.
        expectError(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": queryID, "ok": false, "error_message": "no"]), tooOld)
        #expect(double.preCheckoutAnswer(queryID) == recorded)

        let refused = try #require(double.injectPreCheckoutQuery(chatID: chat, userID: 77, invoiceMessageID: invoice))
        #expect(refused != queryID)
        #expect(try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": refused, "ok": false, "error_message": "已售罄"]).status == 200)
        #expect(double.preCheckoutAnswer(refused)?.ok == false)
        #expect(double.preCheckoutAnswer(refused)?.errorMessage == "已售罄")
        #expect(double.preCheckoutAnswer("not a number") == nil)
    }

    @Test func anAnswerAfterTheDeadlineIsRefusedAndDeclines() throws {
        let double = try makeDouble()
        defer { double.stop() }
        #expect(double.preCheckoutDeadlineSeconds == 10)
        double.preCheckoutDeadlineSeconds = 0.3
        let chat = Self.customer
        let invoice = try sendStarsInvoice(double, chat)
        let queryID = try #require(double.injectPreCheckoutQuery(chatID: chat, invoiceMessageID: invoice))
        Thread.sleep(forTimeInterval: 0.5)
        let late = try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": queryID, "ok": true])
        expectError(late, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        let answer = try #require(double.preCheckoutAnswer(queryID))
        #expect(answer.ok)
        #expect(!answer.inTime)
        #expect(answer.secondsAfterQuery >= 0.3)

        // pay: the bot answers, but too late — no payment.
        double.preCheckoutDeadlineSeconds = 0.5
        _ = try takeUpdates(double)
        let payment = Background { double.pay(chatID: chat, invoiceMessageID: invoice) }
        let update = try #require(try takeUpdates(double, timeout: 5).first)
        let query = try #require(update["pre_checkout_query"] as? [String: Any])
        #expect(payment.value(timeout: 5) == .noAnswer)
        let lateAgain = try call(double, "answerPreCheckoutQuery", ["pre_checkout_query_id": try #require(query["id"] as? String), "ok": true])
        #expect(lateAgain.status == 400)
        #expect(try takeUpdates(double).isEmpty, "no successful_payment")
    }

    // MARK: - pay

    @Test func payHappyPathQueuesTheSuccessfulPayment() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        double.injectMessage(chatID: chat, text: "/buy", firstName: "阿明")
        _ = try takeUpdates(double)
        let invoice = try sendStarsInvoice(double, chat)

        let payment = Background { double.pay(chatID: chat, invoiceMessageID: invoice) }
        let query = try answerNextCheckout(double, ok: true)
        let result = try #require(payment.value(timeout: 15))
        guard case .paid(let chargeID, let providerChargeID, let updateID) = result else {
            Issue.record("not paid: \(result)")
            return
        }
        #expect(chargeID.hasPrefix("stx"))
        #expect(chargeID.count == 136)
        #expect(chargeID.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        #expect(providerChargeID == "")
        #expect(double.preCheckoutAnswer(try #require(query["id"] as? String))?.inTime == true)

        let update = try #require(try takeUpdates(double).first)
        #expect(update["update_id"] as? Int64 == updateID)
        let message = try #require(update["message"] as? [String: Any])
        #expect(message["message_id"] as? Int64 == 2, "the chat's next user message id")
        #expect(double.lastInjectedMessageID(chatID: chat) == 2)
        #expect((message["from"] as? [String: Any])?["first_name"] as? String == "阿明")
        #expect((message["chat"] as? [String: Any])?["type"] as? String == "private")
        #expect(message["text"] == nil)
        let paid = try #require(message["successful_payment"] as? [String: Any])
        #expect(paid["currency"] as? String == "XTR")
        #expect(paid["total_amount"] as? Int == 250)
        #expect(paid["invoice_payload"] as? String == "order:42")
        #expect(paid["telegram_payment_charge_id"] as? String == chargeID)
        #expect(paid["provider_payment_charge_id"] as? String == "")

        // Another payment gets other ids; a fresh double's first payment gets the same ids (deterministic).
        let second = try payAccepted(double, chat: chat, invoice: invoice)
        guard case .paid(let secondID, _, _) = second else {
            Issue.record("not paid: \(second)")
            return
        }
        #expect(secondID != chargeID)
        let other = try makeDouble()
        defer { other.stop() }
        let otherInvoice = try sendStarsInvoice(other, chat)
        guard case .paid(let otherID, _, _) = try payAccepted(other, chat: chat, invoice: otherInvoice) else {
            Issue.record("not paid")
            return
        }
        #expect(otherID == chargeID)

        // A reply to the payment message shows it.
        let thanks = try call(double, "sendMessage", ["chat_id": chat, "text": "谢谢", "reply_parameters": ["message_id": 2]])
        #expect(((thanks.resultObject["reply_to_message"] as? [String: Any])?["successful_payment"] as? [String: Any])?["telegram_payment_charge_id"] as? String == chargeID)
    }

    @Test func payInAFiatCurrencyHasProviderChargeIDs() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        let sent = try call(double, "sendInvoice", [
            "chat_id": chat, "title": "Top-up", "description": "Mobile credit", "payload": "topup:7",
            "provider_token": "284685063:TEST:abc", "currency": "USD", "prices": [["label": "Credit", "amount": 1_000]],
        ])
        let invoice = try #require(sent.resultObject["message_id"] as? Int64)
        guard case .paid(let chargeID, let providerChargeID, _) = try payAccepted(double, chat: chat, invoice: invoice) else {
            Issue.record("not paid")
            return
        }
        #expect(chargeID.hasPrefix("tg-") && chargeID.count == 27)
        #expect(providerChargeID.hasPrefix("prov-") && providerChargeID.count == 29)
        let paid = try #require((try takeUpdates(double).first?["message"] as? [String: Any])?["successful_payment"] as? [String: Any])
        #expect(paid["currency"] as? String == "USD")
        #expect(paid["provider_payment_charge_id"] as? String == providerChargeID)
        // Not a Stars payment: refundStarPayment does not know it.
        expectError(try call(double, "refundStarPayment", ["user_id": chat, "telegram_payment_charge_id": chargeID]),
                    "Bad Request: CHARGE_NOT_FOUND")
    }

    @Test func payDeclinedNoAnswerAndNoInvoice() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        let invoice = try sendStarsInvoice(double, chat)

        let declined = Background { double.pay(chatID: chat, userID: 9, invoiceMessageID: invoice) }
        let query = try answerNextCheckout(double, ok: false, errorMessage: "库存不足，请稍后再试")
        #expect((query["from"] as? [String: Any])?["id"] as? Int64 == 9)
        #expect(declined.value(timeout: 15) == .declined(errorMessage: "库存不足，请稍后再试"))
        #expect(try takeUpdates(double).isEmpty, "no successful_payment")

        // Nobody answers: pay gives up at the deadline, well before its timeout.
        double.preCheckoutDeadlineSeconds = 0.3
        let started = Date()
        #expect(double.pay(chatID: chat, invoiceMessageID: invoice, timeout: 10) == .noAnswer)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(try takeUpdates(double).count == 1, "only the pre_checkout_query")
        // Or at its timeout, when that is shorter.
        double.preCheckoutDeadlineSeconds = 10
        #expect(double.pay(chatID: chat, invoiceMessageID: invoice, timeout: 0.2) == .noAnswer)

        #expect(double.pay(chatID: chat, invoiceMessageID: invoice + 5) == .noSuchInvoice)
        #expect(double.refunds().isEmpty)
    }

    @Test func payAsyncWaitsOffTheCallersExecutor() async throws {
        let double = try makeDouble()
        defer { double.stop() }
        let invoice = try sendStarsInvoice(double, Self.customer)
        // The bot's side on a thread of its own: on a loaded machine a blocked cooperative
        // thread could keep `payAsync` from starting.
        let bot = Background { (try? self.answerNextCheckout(double, ok: false, errorMessage: "稍后再试")) != nil }
        let result = await double.payAsync(chatID: Self.customer, invoiceMessageID: invoice)
        #expect(result == .declined(errorMessage: "稍后再试"))
        #expect(bot.value(timeout: 15) == true)
    }

    // MARK: - Refunds

    @Test func refundStarPaymentOnceAndItsErrors() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        let invoice = try sendStarsInvoice(double, chat)
        guard case .paid(let chargeID, _, _) = try payAccepted(double, chat: chat, invoice: invoice) else {
            Issue.record("not paid")
            return
        }
        expectError(try call(double, "refundStarPayment", ["telegram_payment_charge_id": chargeID]),
                    "Bad Request: invalid user_id specified")
        expectError(try call(double, "refundStarPayment", ["user_id": -5, "telegram_payment_charge_id": chargeID]),
                    "Bad Request: invalid user_id specified")
        expectError(try call(double, "refundStarPayment", ["user_id": chat]),
                    #"Bad Request: parameter "telegram_payment_charge_id" is required"#)
        expectError(try call(double, "refundStarPayment", ["user_id": chat, "telegram_payment_charge_id": "PAYMENT_ID"]),
                    "Bad Request: CHARGE_NOT_FOUND")
        expectError(try call(double, "refundStarPayment", ["user_id": chat + 1, "telegram_payment_charge_id": chargeID]),
                    "Bad Request: CHARGE_NOT_FOUND")
        #expect(double.refunds().isEmpty)

        let refunded = try call(double, "refundStarPayment", ["user_id": chat, "telegram_payment_charge_id": chargeID])
        #expect(refunded.body == #"{"ok":true,"result":true}"#)
        #expect(double.refunds() == [BotAPIDouble.Refund(userID: chat, telegramChargeID: chargeID)])
        expectError(try call(double, "refundStarPayment", ["user_id": chat, "telegram_payment_charge_id": chargeID]),
                    "Bad Request: CHARGE_ALREADY_REFUNDED")
        #expect(double.refunds().count == 1)

        // An injected Stars payment can be refunded too.
        double.injectSuccessfulPayment(
            chatID: 600, payload: "p", currency: "XTR", totalAmount: 5, telegramChargeID: "stxInjected", providerChargeID: "")
        #expect(try call(double, "refundStarPayment", ["user_id": 600, "telegram_payment_charge_id": "stxInjected"]).status == 200)
        #expect(double.refunds().map(\.telegramChargeID) == [chargeID, "stxInjected"])
    }

    // MARK: - Injected payments and duplicates

    @Test func injectedPaymentsCanBeDeliveredTwice() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat = Self.customer
        double.injectMessage(chatID: chat, text: "hi")
        let original = double.injectSuccessfulPayment(
            chatID: chat, payload: "order:9", currency: "XTR", totalAmount: 99, telegramChargeID: "stxABC",
            providerChargeID: "")
        #expect(double.lastInjectedMessageID(chatID: chat) == 2)
        let duplicate = try #require(double.injectRawDuplicate(ofUpdate: original))
        #expect(duplicate == original + 1)
        #expect(double.injectRawDuplicate(ofUpdate: original - 1) == nil, "a plain message is not a payment update")
        #expect(double.injectRawDuplicate(ofUpdate: 1) == nil)

        let raw = try call(double, "getUpdates", [:]).body
        let updates = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])["result"] as? [[String: Any]]
        #expect(updates?.count == 3)
        let first = try #require(updates?[1])
        let second = try #require(updates?[2])
        #expect(first["update_id"] as? Int64 == original)
        #expect(second["update_id"] as? Int64 == duplicate)
        // Apart from the update_id, the very same JSON.
        #expect(raw.components(separatedBy: #""telegram_payment_charge_id":"stxABC""#).count == 3)
        let firstMessage = try #require(first["message"] as? [String: Any])
        let secondMessage = try #require(second["message"] as? [String: Any])
        #expect(firstMessage["message_id"] as? Int64 == 2)
        #expect(secondMessage["message_id"] as? Int64 == 2)
        #expect(json(firstMessage) == json(secondMessage))
        let paid = try #require(firstMessage["successful_payment"] as? [String: Any])
        #expect(paid["total_amount"] as? Int == 99)
        #expect(paid["invoice_payload"] as? String == "order:9")

        // A pre-checkout query can be repeated too (same id).
        let invoice = try sendStarsInvoice(double, chat)
        _ = try call(double, "getUpdates", ["offset": duplicate + 1])
        let queryID = try #require(double.injectPreCheckoutQuery(chatID: chat, invoiceMessageID: invoice))
        let queryUpdate = try #require(try takeUpdates(double).first?["update_id"] as? Int64)
        #expect(double.injectRawDuplicate(ofUpdate: queryUpdate) != nil)
        let again = try #require(try takeUpdates(double).first?["pre_checkout_query"] as? [String: Any])
        #expect(again["id"] as? String == queryID)
    }
}
