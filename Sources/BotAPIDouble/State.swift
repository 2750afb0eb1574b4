/// Everything the double remembers. Only read or written with `BotAPIDouble.lock` held.
struct State {
    var started = false
    var stopped = false
    var listenerClosed = false
    /// Open connection sockets (each owned and closed by its thread).
    var connections: Set<Int32> = []
    /// The accept thread plus connection threads still running.
    var liveThreads = 0
    /// Bumped on every observable change.
    var generation: UInt64 = 0

    // Updates.
    /// Update ids start high, like real ones, so nobody assumes they start at 1.
    var nextUpdateID: Int64 = 100_000_001
    /// Pending updates sorted by id; `pendingHead` entries at the front are already confirmed.
    private(set) var pending: [PendingUpdate] = []
    private(set) var pendingHead = 0
    var confirmedOffset: Int64 = 0
    var pollSequence: UInt64 = 0
    /// The long poll currently allowed to wait.
    var activePoll: UInt64?
    /// The socket of the connection `activePoll` came on.
    var activePollConnection: Int32 = -1
    var pollersTerminatedByConflict = 0

    // Chats and messages.
    var chats: [Int64: ChatRecord] = [:]
    var userLanguages: [Int64: String] = [:]
    var blockedChats: Set<Int64> = []
    var sent: [BotAPIDouble.SentMessage] = []
    var sentByChat: [Int64: [BotAPIDouble.SentMessage]] = [:]

    // Callbacks, commands, faults, calls.
    var callbackSequence: Int64 = 0
    var openCallbacks: Set<String> = []
    var answeredCallbacks: [String] = []
    var commands: [String: String] = [:]
    var faults: [String: [BotAPIDouble.Fault]] = [:]
    var calls: [BotAPIDouble.RecordedCall] = []

    // Telegram's limits (nil: not enforced), what they accepted and what they refused.
    var floodControl: FloodControl?
    var acceptedSends: [BotAPIDouble.AcceptedSend] = []
    var tooManyRequestsByChat: [Int64: Int] = [:]
    var tooManyRequestsSent = 0

    var pendingCount: Int { pending.count - pendingHead }

    var newestUpdateID: Int64 { nextUpdateID - 1 }

    func pendingUpdates(limit: Int) -> ArraySlice<PendingUpdate> {
        pending[pendingHead..<min(pending.count, pendingHead + limit)]
    }

    mutating func insertPending(_ update: PendingUpdate) {
        if let last = pending.last, last.id > update.id {
            // Out of order (raw updates with explicit ids): keep the queue sorted.
            var low = pendingHead
            var high = pending.count
            while low < high {
                let middle = (low + high) / 2
                if pending[middle].id <= update.id { low = middle + 1 } else { high = middle }
            }
            pending.insert(update, at: low)
        } else {
            pending.append(update)
        }
    }

    /// Deletes pending updates with an id below `offset`.
    mutating func confirm(below offset: Int64) {
        while pendingHead < pending.count && pending[pendingHead].id < offset { pendingHead += 1 }
        compact()
    }

    /// Keeps only the newest `count` pending updates.
    mutating func keepNewest(_ count: Int) {
        if pendingCount > count { pendingHead = pending.count - count }
        compact()
    }

    mutating func dropAllPending() {
        pending.removeAll()
        pendingHead = 0
    }

    private mutating func compact() {
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 1024 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }
}

struct PendingUpdate {
    let id: Int64
    let json: String
}

/// What the double knows about one chat.
struct ChatRecord {
    /// The chat object as the last injected message showed it.
    var json: String?
    /// Ids of the bot's messages: 1000, 1001, …
    var nextBotMessageID: Int64 = 1000
    /// Ids of injected user messages: 1, 2, …
    var nextUserMessageID: Int64 = 1
    var botMessages: [Int64: StoredMessage] = [:]

    func knows(messageID: Int64) -> Bool {
        botMessages[messageID] != nil || (messageID >= 1 && messageID < nextUserMessageID)
    }
}

/// A message the bot sent, as it stands now.
struct StoredMessage {
    var text: String
    var entities: [TextEntity]
    var markupJSON: String?
    var date: Int
    var editDate: Int?
    var linkPreviewDisabled: Bool
}
