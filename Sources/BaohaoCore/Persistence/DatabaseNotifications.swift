/// The channels PostgreSQL notifies (`LISTEN`) when another process changes what a running
/// bot acts on. Triggers raise them (migration 14), so every writer does, the operators'
/// tools on other hosts included. A notification is a hint to look now rather than at the
/// next periodic check: it carries nothing, and one missed (a reconnection) only delays.
public enum DatabaseNotifications {
    /// Something was queued in the outbox: the sender should look.
    public static let outbox = "baohao_outbox"
    /// The FAQ changed (its generation grew): the bot should reload it.
    public static let faq = "baohao_faq"
}
