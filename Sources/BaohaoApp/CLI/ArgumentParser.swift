/// The result of parsing a command line.
public struct ParsedCommand: Sendable, Equatable {
    /// Subcommand names from the root, e.g. `["alerts", "run-once"]`.
    public var path: [String] = []
    /// Option values by long name (`--db` → path).
    public var values: [String: String] = [:]
    /// Flags that were given, by long name.
    public var flags: Set<String> = []
    /// Positional arguments, in order.
    public var arguments: [String] = []

    /// The value of an option, if given.
    public func value(_ name: String) -> String? { values[name] }
    /// True when a flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// What the command line asks for.
public enum ParseOutcome: Sendable, Equatable {
    case run(ParsedCommand)
    /// `--help` was given: print this text to standard output and exit 0.
    case help(String)
    /// `--version` was given.
    case version
}

/// A command line that cannot be run: the message and the usage of the command concerned.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let usage: String
    public var description: String { "error: \(message)\n\n\(usage)" }
}

/// A small hand-written parser for `baohao [global options] COMMAND [SUBCOMMAND] [options] [arguments]`.
/// Options may come before or after positional arguments; `--name=value` and `--name value`
/// both work; `--` ends options.
public struct ArgumentParser: Sendable {
    public let root: CommandSpec
    public let globalOptions: [OptionSpec]
    private static let help = OptionSpec("--help", short: "-h", "Show help for this command.")
    private static let version = OptionSpec("--version", "Show the version.")

    public init(root: CommandSpec, globalOptions: [OptionSpec]) {
        self.root = root
        self.globalOptions = globalOptions
    }

    public func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
        var parsed = ParsedCommand()
        var command = root
        var wantsHelp = false
        var wantsVersion = false
        var onlyPositionals = false
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if !onlyPositionals, token == "--" {
                onlyPositionals = true
                continue
            }
            if !onlyPositionals, token.hasPrefix("-"), token.count > 1, !Self.isNegativeNumber(token) {
                let (name, inlineValue) = Self.split(token)
                if name == "--help" || name == "-h" { wantsHelp = true; continue }
                if name == "--version", command.name == root.name { wantsVersion = true; continue }
                guard let spec = command.option(named: name) ?? globalOptions.first(where: { $0.name == name || $0.shortName == name }) else {
                    throw UsageError(message: "unknown option '\(name)' for '\(commandLine(parsed))'", usage: usage(for: command, path: parsed.path))
                }
                if spec.valueName != nil {
                    if let inlineValue {
                        parsed.values[spec.name] = inlineValue
                    } else if index < arguments.count {
                        parsed.values[spec.name] = arguments[index]
                        index += 1
                    } else {
                        throw UsageError(message: "option '\(spec.name)' needs a value \(spec.valueName!)", usage: usage(for: command, path: parsed.path))
                    }
                } else {
                    if inlineValue != nil {
                        throw UsageError(message: "flag '\(spec.name)' takes no value", usage: usage(for: command, path: parsed.path))
                    }
                    parsed.flags.insert(spec.name)
                }
                continue
            }
            if !command.subcommands.isEmpty, parsed.arguments.isEmpty {
                guard let sub = command.subcommand(named: token) else {
                    throw UsageError(message: "unknown command '\(token)'\(parsed.path.isEmpty ? "" : " for '\(commandLine(parsed))'")", usage: usage(for: command, path: parsed.path))
                }
                command = sub
                parsed.path.append(sub.name)
                continue
            }
            parsed.arguments.append(token)
        }
        if wantsHelp { return .help(usage(for: command, path: parsed.path)) }
        if wantsVersion { return .version }
        if !command.subcommands.isEmpty {
            throw UsageError(message: parsed.path.isEmpty ? "no command given" : "'\(commandLine(parsed))' needs a subcommand", usage: usage(for: command, path: parsed.path))
        }
        let required = command.arguments.filter { !$0.isOptional }.count
        if parsed.arguments.count < required {
            let missing = command.arguments[parsed.arguments.count]
            throw UsageError(message: "missing argument \(missing.name)", usage: usage(for: command, path: parsed.path))
        }
        if parsed.arguments.count > command.arguments.count {
            throw UsageError(message: "unexpected argument '\(parsed.arguments[command.arguments.count])'", usage: usage(for: command, path: parsed.path))
        }
        return .run(parsed)
    }

    /// The help text of the command at `path`.
    public func usage(for command: CommandSpec, path: [String]) -> String {
        let name = ([root.name] + path).joined(separator: " ")
        var synopsis = name
        if !command.subcommands.isEmpty { synopsis += " <command>" }
        for argument in command.arguments { synopsis += argument.isOptional ? " [\(argument.name)]" : " \(argument.name)" }
        if !command.options.isEmpty || !globalOptions.isEmpty { synopsis += " [options]" }
        var lines = ["USAGE: \(synopsis)", "", command.summary]
        if let discussion = command.discussion { lines += ["", discussion] }
        if !command.subcommands.isEmpty {
            lines += ["", "COMMANDS:"]
            let width = command.subcommands.map(\.name.count).max() ?? 0
            for sub in command.subcommands { lines.append("  " + Self.pad(sub.name, width) + "  " + sub.summary) }
            lines += ["", "See '\(name) <command> --help' for a command's own options."]
        }
        if !command.arguments.isEmpty {
            lines += ["", "ARGUMENTS:"]
            let width = command.arguments.map(\.name.count).max() ?? 0
            for argument in command.arguments { lines.append("  " + Self.pad(argument.name, width) + "  " + argument.summary) }
        }
        func optionLines(_ options: [OptionSpec]) -> [String] {
            let labels = options.map { option in
                (option.shortName.map { "\($0), " } ?? "") + option.name + (option.valueName.map { " \($0)" } ?? "")
            }
            let width = labels.map(\.count).max() ?? 0
            return zip(labels, options).map { "  " + Self.pad($0, width) + "  " + $1.summary }
        }
        if !command.options.isEmpty { lines += ["", "OPTIONS:"] + optionLines(command.options) }
        var global = globalOptions + [Self.help]
        if path.isEmpty { global.append(Self.version) }
        lines += ["", "GLOBAL OPTIONS:"] + optionLines(global)
        return lines.joined(separator: "\n")
    }

    /// The help text of the command at `path`, or nil when no such command exists.
    public func usage(path: [String]) -> String? {
        var command = root
        for name in path {
            guard let sub = command.subcommand(named: name) else { return nil }
            command = sub
        }
        return usage(for: command, path: path)
    }

    private func commandLine(_ parsed: ParsedCommand) -> String { ([root.name] + parsed.path).joined(separator: " ") }

    private static func split(_ token: String) -> (String, String?) {
        guard token.hasPrefix("--"), let equals = token.firstIndex(of: "=") else { return (token, nil) }
        return (String(token[..<equals]), String(token[token.index(after: equals)...]))
    }

    private static func isNegativeNumber(_ token: String) -> Bool {
        token.count > 1 && token.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
