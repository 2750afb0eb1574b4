/// A command-line option: a flag (`--json`) or an option with a value (`--db PATH`).
public struct OptionSpec: Sendable, Equatable {
    /// The long name with its dashes, e.g. `--json`.
    public let name: String
    /// An optional one-letter alias with its dash, e.g. `-h`.
    public let shortName: String?
    /// The value's placeholder (`PATH`), or nil for a flag.
    public let valueName: String?
    public let summary: String

    public init(_ name: String, short: String? = nil, value: String? = nil, _ summary: String) {
        self.name = name
        self.shortName = short
        self.valueName = value
        self.summary = summary
    }
}

/// A positional argument.
public struct ArgumentSpec: Sendable, Equatable {
    public let name: String
    public let summary: String
    public let isOptional: Bool

    public init(_ name: String, optional: Bool = false, _ summary: String) {
        self.name = name
        self.isOptional = optional
        self.summary = summary
    }
}

/// A command or a group of subcommands, with what `--help` shows for it.
public struct CommandSpec: Sendable {
    public let name: String
    /// One line, shown in the parent's list.
    public let summary: String
    /// More detail for the command's own `--help`.
    public let discussion: String?
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    public let subcommands: [CommandSpec]

    public init(
        _ name: String, _ summary: String, discussion: String? = nil, arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], subcommands: [CommandSpec] = []
    ) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
    }

    func subcommand(named name: String) -> CommandSpec? { subcommands.first { $0.name == name } }
    func option(named name: String) -> OptionSpec? { options.first { $0.name == name || $0.shortName == name } }
}
