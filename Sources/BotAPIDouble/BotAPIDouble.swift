import Dispatch
import Foundation
import Glibc

/// A Telegram Bot API server double: a real HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one thread per
/// connection) that answers getUpdates, sendMessage and friends — media sends, copies, reactions, forum
/// topics, invoices and payments — with the Bot API's shapes and error strings.
/// Tests inject what users do (`injectMessage`, `injectEdit`, `injectCallback`, `injectMyChatMember`, in
/// forums `createTopic`, `closeTopic`, `deleteTopic`, and paying: `pay`, `injectPreCheckoutQuery`,
/// `injectSuccessfulPayment`), make calls fail (`failNext`, `blockChat`) and observe what the bot did
/// (`sentMessages`, `calls`, `topics(in:)`, `reactions(chatID:)`, `sentInvoices`, `preCheckoutAnswer`, `refunds`).
public final class BotAPIDouble: @unchecked Sendable {  // safe: all mutable state is in `state`, only touched with `lock` held
    public struct SentMessage: Sendable, Equatable {
        /// Assigned by the double, increasing per chat: from 1000 on, or, in a chat registered with
        /// `makeForum`/`makeGroup`, the next id of the chat's single sequence.
        public let messageID: Int64
        public let chatID: Int64
        /// The raw `text` parameter as received; for a copied text message the copied text (after entity
        /// parsing); "" for media (see `caption`).
        public let text: String
        public let parseMode: String?
        /// The reply_markup value as (compact) JSON text, if any.
        public let replyMarkupJSON: String?
        /// All callback_data values of the inline keyboard, in order.
        public let callbackData: [String]
        /// reply_parameters.message_id (or the legacy reply_to_message_id).
        public let replyToMessageID: Int64?
        /// link_preview_options.is_disabled == true or disable_web_page_preview == true.
        public let disableLinkPreview: Bool
        /// True for editMessageText (messageID is then the edited message).
        public let isEdit: Bool
        /// The forum topic the message went to (nil: General, or a chat without topics).
        public var threadID: Int64? = nil
        /// What the message is: `.text` for sendMessage/editMessageText and copied texts, else the media.
        public var kind: Kind = .text
        /// The file id of a photo (its largest size), document, voice, video, video note or sticker.
        public var fileID: String? = nil
        /// The caption of a media message: the raw `caption` parameter of sendPhoto/sendDocument, the
        /// new caption of a copy, or the caption the copied message had (nil: none). `text` is "" for media.
        public var caption: String? = nil
        /// For copyMessage/copyMessages: the message this is a copy of.
        public var copiedFrom: MessageRef? = nil
        /// The media_group_id of a message that belongs to an album (copied albums get a new one).
        public var mediaGroupID: String? = nil

        /// What kind of message was sent.
        public enum Kind: String, Sendable {
            case text, photo, document, voice, video, videoNote, sticker, location, contact
        }
    }

    /// A message by chat and id.
    public struct MessageRef: Sendable, Equatable {
        /// The chat the message is in.
        public let chatID: Int64
        /// The message's id in that chat.
        public let messageID: Int64

        /// A reference to message `messageID` of `chatID`.
        public init(chatID: Int64, messageID: Int64) {
            self.chatID = chatID
            self.messageID = messageID
        }
    }

    public struct RecordedCall: Sendable, Equatable {
        /// Lower-cased method name ("" when the path was not `/bot<token>/<method>`).
        public let method: String
        /// Top-level parameters; non-string JSON values as their (compact) JSON text.
        public let parameters: [String: String]
        /// The HTTP status answered; 0 when the connection was dropped without a response.
        public let httpStatus: Int
    }

    public enum Fault: Sendable, Equatable {
        /// A JSON error envelope with that HTTP status; with `retryAfter`, also a `Retry-After` header and
        /// `parameters.retry_after`.
        case status(Int, description: String, retryAfter: Int? = nil)
        /// An nginx-like HTML page with that status (Content-Type text/html).
        case htmlStatus(Int)
        /// Read the request, then close the socket without any response.
        case dropConnection
        /// Answer normally after a delay.
        case delay(seconds: Double)
        /// Handle the request (a message is sent), then close the socket without a response.
        case dropAfterHandling
        /// Handle the request (a message is sent), then answer an nginx-like HTML page with that status.
        case htmlStatusAfterHandling(Int)
    }

    public let token: String
    let botUsername: String
    let botID: Int64
    private let listenFD: Int32
    private let boundPort: Int
    let lock = ConditionLock(conditionCount: 2)
    /// Guarded by `lock`.
    var state = State()

    /// Condition: anything observable changed (`wait(timeout:until:)`, thread exits).
    static let stateChanged = 0
    /// Condition: updates arrived, a long poll was superseded, or the double stopped.
    static let pollEvent = 1

    public var port: Int { boundPort }
    public var baseURL: String { "http://127.0.0.1:\(boundPort)" }

    /// Binds 127.0.0.1 on an ephemeral port and listens; `start()` begins accepting.
    /// With `enforceLimits` (e.g. `.telegram`), a send beyond Telegram's limits is answered
    /// 429 with `retry_after` and not delivered (`FloodControl`); without, nothing is limited.
    public init(token: String = "123456:TEST-token", botUsername: String = "BaohaoBot", enforceLimits: FloodControl.Limits? = nil) throws {
        self.token = token
        self.botUsername = botUsername
        self.botID = Int64(token.prefix { $0 >= "0" && $0 <= "9" }) ?? 0
        state.floodControl = enforceLimits.map { FloodControl(limits: $0) }

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BotAPIDoubleError(operation: "socket", code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw BotAPIDoubleError(operation: "bind", code: code)
        }
        guard listen(fd, 1024) == 0 else {
            let code = errno
            close(fd)
            throw BotAPIDoubleError(operation: "listen", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw BotAPIDoubleError(operation: "getsockname", code: code)
        }
        listenFD = fd
        boundPort = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        // Running threads keep `self` alive, so here nothing serves: the listener is ours to close.
        if !state.listenerClosed { close(listenFD) }
    }

    // MARK: - Life cycle

    /// Starts accepting connections on a background thread; returns immediately. Idempotent.
    public func start() {
        let shouldStart = lock.withLock { () -> Bool in
            guard !state.started && !state.stopped else { return false }
            state.started = true
            state.liveThreads += 1
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "BotAPIDouble.accept"
        thread.start()
    }

    /// Closes the listener and every connection, wakes long polls and delays, and waits (up to 2 s) for the
    /// server threads to end. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !state.stopped else { return }
        state.stopped = true
        if state.started {
            shutdown(listenFD, Int32(SHUT_RDWR))  // wakes the accept thread, which closes it
        } else {
            close(listenFD)
            state.listenerClosed = true
        }
        for fd in state.connections {
            shutdown(fd, Int32(SHUT_RDWR))  // wakes the connection's thread, which closes it
        }
        changedLocked()
        lock.broadcast(Self.pollEvent)
        let deadline = monotonicSeconds() + 2
        while state.liveThreads > 0 && monotonicSeconds() < deadline {
            lock.wait(Self.stateChanged, until: deadline)
        }
    }

    private func acceptLoop() {
        while true {
            if lock.withLock({ state.stopped }) { break }
            var descriptor = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready <= 0 { continue }
            let connection = accept(listenFD, nil, nil)
            if connection < 0 {
                switch errno {
                case EINTR, EAGAIN, ECONNABORTED: continue
                default:
                    if lock.withLock({ state.stopped }) { break }
                    usleep(1000)  // e.g. out of descriptors: back off a little
                    continue
                }
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let accepted = lock.withLock { () -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(connection)
                state.liveThreads += 1
                return true
            }
            guard accepted else {
                close(connection)
                break
            }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "BotAPIDouble.connection"
            thread.start()
        }
        lock.withLock {
            close(listenFD)
            state.listenerClosed = true
            state.liveThreads -= 1
            changedLocked()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock {
                state.connections.remove(fd)
                close(fd)
                state.liveThreads -= 1
                changedLocked()
            }
        }
        var reader = RequestReader(fd: fd)
        while true {
            switch reader.next() {
            case .closed:
                return
            case .invalid(let response):
                lock.withLock { recordLocked("", [:], response.status) }
                _ = sendAll(fd, response.serialized(keepAlive: false))
                return
            case .request(let request):
                let response = handle(request)
                if response.drop { return }
                let keepAlive = request.keepAlive && !response.close
                guard sendAll(fd, response.serialized(keepAlive: keepAlive)), keepAlive else { return }
            }
        }
    }

    // MARK: - Injecting what users do

    /// Queues a callback query (a user pressed an inline button under message `messageID`).
    @discardableResult
    public func injectCallback(chatID: Int64, userID: Int64? = nil, messageID: Int64, data: String) -> (updateID: Int64, callbackID: String) {
        let user = userID ?? defaultUserID(chatID: chatID)
        let now = unixTime()
        return lock.withLock {
            state.callbackSequence += 1
            let callbackID = String(4_278_655_576_057_490_000 + state.callbackSequence)
            let chat = state.chats[chatID]
            var json = "{\"update_id\":\(state.nextUpdateID),\"callback_query\":{\"id\":"
            appendJSONString(callbackID, to: &json)
            json += ",\"from\":" + userJSON(profileLocked(user))
            if let message = chat?.botMessages[messageID] {
                json += ",\"message\":" + messageJSONLocked(chat: chatID, id: messageID, message)
            } else {
                // A message the double never saw: an empty text.
                json += ",\"message\":{\"message_id\":\(messageID),\"from\":" + botUserJSON
                json += ",\"chat\":" + (chat?.json ?? defaultChatJSON(chatID)) + ",\"date\":\(now),\"text\":\"\"}"
            }
            json += ",\"chat_instance\":"
            appendJSONString(String(chatID &* 2_654_435_761 &+ 7_919), to: &json)
            json += ",\"data\":"
            appendJSONString(data, to: &json)
            json += "}}"
            let updateID = state.nextUpdateID
            state.openCallbacks.insert(callbackID)
            enqueueLocked(json, updateID: updateID)
            return (updateID, callbackID)
        }
    }

    /// Queues `json` verbatim as one element of getUpdates' `result`; the double numbers it with the next
    /// update_id for its own bookkeeping (confirmation by offset), which it returns.
    @discardableResult
    public func injectRawUpdate(_ json: String) -> Int64 {
        lock.withLock {
            let updateID = state.nextUpdateID
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    /// Queues `json` verbatim, confirmed by offset as if its update_id were `updateID`.
    @discardableResult
    public func injectRawUpdate(_ json: String, updateID: Int64) -> Int64 {
        lock.withLock {
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    // MARK: - Faults

    /// The next `count` calls of `method` (case-insensitive) get `fault` (queued after earlier faults).
    public func failNext(_ method: String, with fault: Fault, count: Int = 1) {
        guard count > 0 else { return }
        lock.withLock {
            state.faults[method.lowercased(), default: []].append(contentsOf: repeatElement(fault, count: count))
        }
    }

    /// Forgets the faults still queued for `method` (every method when nil): the outage ends.
    public func clearFaults(_ method: String? = nil) {
        lock.withLock {
            if let method { state.faults[method.lowercased()] = nil } else { state.faults = [:] }
        }
    }

    /// From now on sendMessage, editMessageText, sendChatAction, sendPhoto, sendDocument, copyMessage,
    /// copyMessages and sendInvoice to `chatID` get 403 "Forbidden: bot was blocked by the user"
    /// (until `injectMyChatMember(chatID:newStatus: "member")`).
    public func blockChat(_ chatID: Int64) {
        lock.withLock {
            state.blockedChats.insert(chatID)
            changedLocked()
        }
    }

    /// How many waiting getUpdates were ended with 409 Conflict by a newer one.
    public var pollersTerminatedByConflict: Int {
        lock.withLock { state.pollersTerminatedByConflict }
    }

    // MARK: - Observing what the bot did

    /// Every message the bot created or edited, in order: successful sendMessage, editMessageText,
    /// sendPhoto, sendDocument and copyMessage calls, and one entry per message copyMessages created.
    public func sentMessages() -> [SentMessage] {
        lock.withLock { state.sent }
    }

    /// `sentMessages()` to one chat.
    public func sentMessages(to chatID: Int64) -> [SentMessage] {
        lock.withLock { state.sentByChat[chatID] ?? [] }
    }

    /// Every request (failed ones included) in the order they were answered; `method` filters, case-insensitively.
    public func calls(_ method: String? = nil) -> [RecordedCall] {
        lock.withLock {
            guard let method else { return state.calls }
            let name = method.lowercased()
            return state.calls.filter { $0.method == name }
        }
    }

    /// callback_query_ids answered successfully, in order.
    public func answeredCallbackIDs() -> [String] {
        lock.withLock { state.answeredCallbacks }
    }

    /// The highest offset received in getUpdates that confirmed updates (those below it are deleted).
    public var confirmedOffset: Int64 {
        lock.withLock { state.confirmedOffset }
    }

    public var pendingUpdateCount: Int {
        lock.withLock { state.pendingCount }
    }

    /// Blocks the calling thread until `predicate()` is true or `timeout` seconds pass; true if it became true.
    /// Re-evaluates on every change of the double's state (condition variable) and at least every 5 ms, so
    /// predicates that also read other state work. `predicate` runs without the double's lock held.
    public func wait(timeout: Double, until predicate: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + max(0, timeout)
        while true {
            let generation = lock.withLock { state.generation }
            if predicate() { return true }
            let now = monotonicSeconds()
            if now >= deadline { return false }
            let sliceEnd = min(deadline, now + 0.005)
            lock.withLock {
                while state.generation == generation && monotonicSeconds() < sliceEnd {
                    lock.wait(Self.stateChanged, until: sliceEnd)
                }
            }
        }
    }

    /// `wait(timeout:until:)` for async code: the waiting happens on a background queue.
    public func waitAsync(timeout: Double, until predicate: @escaping @Sendable () -> Bool) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: self.wait(timeout: timeout, until: predicate))
            }
        }
    }

    // MARK: - State helpers (call with the lock held)

    /// Marks an observable change and wakes `wait(timeout:until:)`.
    func changedLocked() {
        state.generation &+= 1
        lock.broadcast(Self.stateChanged)
    }

    func recordLocked(_ method: String, _ parameters: [String: String], _ status: Int) {
        state.calls.append(RecordedCall(method: method, parameters: parameters, httpStatus: status))
        changedLocked()
    }

    func enqueueLocked(_ json: String, updateID: Int64) {
        state.insertPending(PendingUpdate(id: updateID, json: json))
        if updateID >= state.nextUpdateID { state.nextUpdateID = updateID + 1 }
        changedLocked()
        lock.broadcast(Self.pollEvent)
    }

    // MARK: - JSON pieces

    var botUserJSON: String {
        var json = "{\"id\":\(botID),\"is_bot\":true,\"first_name\":\"Baohao\",\"username\":"
        appendJSONString(botUsername, to: &json)
        return json + "}"
    }

    func chatJSON(chatID: Int64, type: String, userID: Int64) -> String {
        var json = "{\"id\":\(chatID),\"type\":"
        appendJSONString(type, to: &json)
        if type == "private" {
            json += ",\"first_name\":\"User \(userID)\""
        } else {
            json += ",\"title\":\"Group \(chatID)\""
        }
        return json + "}"
    }

    /// The chat object for a chat no user has written from: private for positive ids, else a (super)group.
    func defaultChatJSON(_ chatID: Int64) -> String {
        if chatID > 0 { return chatJSON(chatID: chatID, type: "private", userID: chatID) }
        let type = String(chatID).hasPrefix("-100") ? "supergroup" : "group"
        return chatJSON(chatID: chatID, type: type, userID: chatID)
    }

    func defaultUserID(chatID: Int64) -> Int64 {
        chatID > 0 ? chatID : (chatID == .min ? 1 : -chatID)
    }
}

/// Why `BotAPIDouble.init` failed.
public struct BotAPIDoubleError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}

func unixTime() -> Int {
    time(nil)
}

/// Length (UTF-16 units) of the bot_command at the start of `text`: "/" + [A-Za-z0-9_]{1,} + optional "@bot".
func botCommandLength(_ text: String) -> Int? {
    let bytes = Array(text.utf8.prefix(200))
    guard bytes.first == UInt8(ascii: "/") else { return nil }
    func isCommandByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
    var end = 1
    while end < bytes.count && isCommandByte(bytes[end]) { end += 1 }
    guard end > 1 else { return nil }
    if end < bytes.count && bytes[end] == UInt8(ascii: "@") {
        var mentionEnd = end + 1
        while mentionEnd < bytes.count && isCommandByte(bytes[mentionEnd]) { mentionEnd += 1 }
        if mentionEnd > end + 1 { end = mentionEnd }
    }
    return end
}
