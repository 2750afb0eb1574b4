/// The things a customer can ask the bot to do.
public enum ActionIntent: String, Sendable, CaseIterable, Codable {
    case checkBalance = "check_balance"
    case renew
    case cancel
    case bindNumber = "bind_number"
    case alertsSubscribe = "alerts_subscribe"
    case humanAgent = "human_agent"
    case greeting
    case thanks
    case help
}

/// The label vocabulary of evaluation files and FAQ topics.
public enum Labels {
    /// Topics that only FAQ entries carry.
    public static let faqTopics = [
        "payment_methods", "renewal_failed", "auto_renew", "activation_delay", "missed_renewal", "refund", "port_out",
    ]
    /// Further FAQ topics outside the evaluation labels (HK real-name registration, general notes).
    public static let extraTopics = ["real_name", "general"]
    /// The fallback label.
    public static let outOfScope = "out_of_scope"

    /// Every label an evaluation file may use.
    public static var evaluationLabels: [String] { ActionIntent.allCases.map(\.rawValue) + faqTopics + [outOfScope] }

    /// Every topic an FAQ entry may carry: FAQ topics, action intents (general how-to), extras.
    public static var faqEntryTopics: Set<String> { Set(faqTopics + ActionIntent.allCases.map(\.rawValue) + extraTopics) }
}
