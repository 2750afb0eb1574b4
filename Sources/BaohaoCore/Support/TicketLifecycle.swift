public import BaohaoSupport

/// Where a ticket stands, in the manner of Chatwoot: open (a person owes the customer an
/// answer), waiting (an operator answered; the customer's turn), closed.
public enum TicketState: String, Sendable, Equatable {
    case open, waiting, closed
}

/// A ticket's state, owner and response timer: the part of a ticket its events change.
/// Pure: `apply` returns what must happen around it, and the caller does it.
public struct TicketLifecycle: Sendable, Equatable {
    public var state: TicketState
    /// The operator who owns it (by `/assign`, or by answering first).
    public var ownerID: Int64?
    public var ownerName: String?
    /// Since when the customer has waited for a person (nil while it is the customer's turn).
    public var awaitingSince: Instant?
    /// When a person first answered.
    public var firstResponseAt: Instant?
    /// How far the wait has been flagged: 0 not, 1 in the topic, 2 also in the general topic.
    public var flagged: Int
    public var closedAt: Instant?

    public init(
        state: TicketState = .open, ownerID: Int64? = nil, ownerName: String? = nil, awaitingSince: Instant? = nil, firstResponseAt: Instant? = nil,
        flagged: Int = 0, closedAt: Instant? = nil
    ) {
        self.state = state
        self.ownerID = ownerID
        self.ownerName = ownerName
        self.awaitingSince = awaitingSince
        self.firstResponseAt = firstResponseAt
        self.flagged = flagged
        self.closedAt = closedAt
    }

    /// What happens to a ticket.
    public enum Event: Sendable, Equatable {
        /// The customer wrote (or sent a picture …).
        case customerWrote
        /// An operator's message went to the customer.
        case operatorAnswered(id: Int64, name: String)
        /// `/assign`.
        case assigned(id: Int64, name: String)
        /// `/close` (or `/ban`).
        case closed
    }

    /// What the caller does because of an event.
    public enum Effect: Sendable, Equatable {
        /// The ticket was closed and comes back: its topic opens again.
        case reopenTopic
        /// Close the topic and tell the customer the ticket is closed.
        case closeTopic
        /// The card's state or owner line changed.
        case refreshCard
    }

    /// Applies `event` at `now`; returns what must happen around it (nothing when the event
    /// changes nothing, such as closing a closed ticket).
    public mutating func apply(_ event: Event, at now: Instant) -> [Effect] {
        switch event {
        case .customerWrote:
            switch state {
            case .open:
                // Already waiting for a person: the timer keeps its start.
                if awaitingSince == nil { awaitingSince = now }
                return []
            case .waiting:
                state = .open
                awaitingSince = now
                flagged = 0
                return [.refreshCard]
            case .closed:
                state = .open
                awaitingSince = now
                flagged = 0
                closedAt = nil
                return [.reopenTopic, .refreshCard]
            }
        case .operatorAnswered(let id, let name):
            guard state != .closed else { return [] }
            let changed = ownerID == nil || state != .waiting
            if ownerID == nil {
                ownerID = id
                ownerName = name
            }
            if firstResponseAt == nil { firstResponseAt = now }
            state = .waiting
            awaitingSince = nil
            flagged = 0
            return changed ? [.refreshCard] : []
        case .assigned(let id, let name):
            guard ownerID != id || ownerName != name else { return [] }
            ownerID = id
            ownerName = name
            return [.refreshCard]
        case .closed:
            guard state != .closed else { return [] }
            state = .closed
            awaitingSince = nil
            flagged = 0
            closedAt = now
            return [.closeTopic, .refreshCard]
        }
    }

    /// Whether a customer's message now goes to the operators rather than to the bot: the
    /// ticket is open or waiting, or was closed less than `reopenWithinSeconds` ago.
    public func takesCustomerMessages(at now: Instant, reopenWithinSeconds: Int64) -> Bool {
        switch state {
        case .open, .waiting: return true
        case .closed:
            guard let closedAt, reopenWithinSeconds > 0 else { return false }
            return now < closedAt.adding(seconds: reopenWithinSeconds)
        }
    }

    /// Where an unanswered wait must be flagged now, if it has reached a level not flagged
    /// yet: `.topic` after `flagAfter` seconds, `.general` after `escalateAfter`.
    public func dueFlag(at now: Instant, flagAfter: Int64, escalateAfter: Int64) -> ResponseFlag? {
        guard state == .open, let since = awaitingSince else { return nil }
        let waited = (now.millisecondsSinceEpoch - since.millisecondsSinceEpoch) / 1000
        if waited >= escalateAfter, flagged < 2 { return .general(waitedSeconds: waited, firstResponse: firstResponseAt == nil) }
        if waited >= flagAfter, flagged < 1 { return .topic(waitedSeconds: waited, firstResponse: firstResponseAt == nil) }
        return nil
    }
}

/// An unanswered ticket flagged to the operators: in its topic, or in the general topic.
public enum ResponseFlag: Sendable, Equatable {
    case topic(waitedSeconds: Int64, firstResponse: Bool)
    case general(waitedSeconds: Int64, firstResponse: Bool)

    /// 1 for the topic, 2 for the general topic.
    public var level: Int {
        switch self {
        case .topic: 1
        case .general: 2
        }
    }
}
