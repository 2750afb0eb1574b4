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
    /// Users as their latest injected message showed them.
    var userProfiles: [Int64: UserProfile] = [:]
    var blockedChats: Set<Int64> = []
    /// The bot's membership as the last `injectMyChatMember` set it, by chat.
    var botMemberStatus: [Int64: String] = [:]
    /// File ids the double has shown (injected media, photo sizes, sent files) and their type.
    var knownFiles: [String: FileType] = [:]
    /// The file names of documents the double has shown, by file id.
    var documentNames: [String: String] = [:]
    /// Numbers the media_group_id of copied albums.
    var mediaGroupSequence: Int64 = 0
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

    // Invoices, pre-checkout queries, charges and refunds.
    var payments = PaymentState()

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
    /// The chat object: as `makeForum`/`makeGroup` registered it, else as the last injected message showed it.
    var json: String?
    /// Ids of the bot's messages in chats not registered as groups: 1000, 1001, …
    var nextBotMessageID: Int64 = 1000
    /// Ids of injected user messages in chats not registered as groups: 1, 2, …
    var nextUserMessageID: Int64 = 1
    var botMessages: [Int64: StoredMessage] = [:]
    /// Injected user messages and service messages (a topic's creation), by id.
    var otherMessages: [Int64: StoredMessage] = [:]
    /// Set by `makeForum`/`makeGroup`: then every message takes the next id of one sequence.
    var group: GroupSettings?
    /// The next id of a registered group's single sequence (1 is Telegram's General topic).
    var nextSharedMessageID: Int64 = 2
    var topics: [Int64: TopicRecord] = [:]
    /// Thread ids in the order the topics were created.
    var topicOrder: [Int64] = []
    var lastInjectedMessageID: Int64?
    /// The bot's reactions by message id (emoji, in order).
    var reactions: [Int64: [String]] = [:]

    var isForum: Bool { group?.isForum == true }

    func knows(messageID: Int64) -> Bool {
        botMessages[messageID] != nil || otherMessages[messageID] != nil
    }

    func message(_ messageID: Int64) -> StoredMessage? {
        botMessages[messageID] ?? otherMessages[messageID]
    }

    /// The id for a new message: from the shared sequence in a registered group, else from the
    /// bot's or the users' own numbering.
    mutating func allocateMessageID(fromBot: Bool) -> Int64 {
        if group != nil {
            nextSharedMessageID += 1
            return nextSharedMessageID - 1
        }
        if fromBot {
            nextBotMessageID += 1
            return nextBotMessageID - 1
        }
        nextUserMessageID += 1
        return nextUserMessageID - 1
    }

    /// Whether the bot may act on `topic` without the manage-topics right: it created it.
    func botMayManage(_ topic: TopicRecord) -> Bool {
        group?.botCanManageTopics == true || topic.createdByBot
    }
}

/// A supergroup registered with `makeForum` or `makeGroup`.
struct GroupSettings {
    var title: String
    var isForum: Bool
    var botCanManageTopics: Bool
}

/// A forum topic; its thread id is the id of its creation service message.
struct TopicRecord {
    var name: String
    var iconColor: Int
    var isClosed = false
    var isDeleted = false
    var createdByBot: Bool
}

/// A user as injected messages show them.
struct UserProfile: Equatable {
    var id: Int64
    var firstName: String
    var username: String?
    var languageCode: String?
}

/// Who sent a stored message.
enum MessageSender: Equatable {
    case bot
    case user(UserProfile)
}

/// What a message shows in place of a text or media: a service message's field, or an invoice
/// (which, like a service message, cannot be copied or edited as a text).
enum ServiceContent: Equatable {
    case forumTopicCreated(name: String, iconColor: Int)
    case invoice(InvoiceContent)
    case successfulPayment(PaymentContent)
}

/// A message as it stands now: the bot's, an injected user's, or a service message.
struct StoredMessage {
    /// The text, or the caption of a media message ("" for none).
    var text: String
    /// The entities of `text` (caption entities of a media message).
    var entities: [TextEntity]
    var markupJSON: String?
    var date: Int
    var editDate: Int?
    var linkPreviewDisabled: Bool
    /// nil: a text (or service) message.
    var media: BotAPIDouble.Media? = nil
    var sender: MessageSender = .bot
    var threadID: Int64? = nil
    /// The replied message, in the same chat.
    var replyTo: Int64? = nil
    var mediaGroupID: String? = nil
    /// A service message's content, or an invoice.
    var service: ServiceContent? = nil
}
