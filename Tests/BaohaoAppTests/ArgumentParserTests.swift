import Testing
@testable import BaohaoApp

@Suite struct ArgumentParserTests {
    let parser = ArgumentParser(
        root: CommandSpec("tool", "A tool.", subcommands: [
            CommandSpec("eval", "Evaluate.", arguments: [ArgumentSpec("FILE", "the file")], options: [OptionSpec("--json", "as JSON")]),
            CommandSpec("alerts", "Alerts.", subcommands: [
                CommandSpec("preview", "Preview.", options: [OptionSpec("--days", value: "N", "days ahead")]),
            ]),
            CommandSpec("classify", "Classify.", arguments: [ArgumentSpec("TEXT", "text"), ArgumentSpec("MORE", optional: true, "more")]),
        ]),
        globalOptions: [OptionSpec("--db", value: "PATH", "database")])

    private func run(_ args: [String]) throws -> ParsedCommand {
        guard case .run(let command) = try parser.parse(args) else { throw UsageError(message: "not a run", usage: "") }
        return command
    }

    @Test func parsesCommandsOptionsAndArguments() throws {
        let command = try run(["--db", "x.sqlite", "eval", "dev.jsonl", "--json"])
        #expect(command.path == ["eval"])
        #expect(command.arguments == ["dev.jsonl"])
        #expect(command.flag("--json"))
        #expect(command.value("--db") == "x.sqlite")
    }

    @Test func parsesNestedSubcommandsAndInlineValues() throws {
        let command = try run(["alerts", "preview", "--days=3", "--db=/tmp/a b.sqlite"])
        #expect(command.path == ["alerts", "preview"])
        #expect(command.value("--days") == "3")
        #expect(command.value("--db") == "/tmp/a b.sqlite")
    }

    @Test func doubleDashMakesTheRestPositional() throws {
        let command = try run(["classify", "--", "--json", "-5"])
        #expect(command.arguments == ["--json", "-5"])
        #expect(try run(["classify", "-5"]).arguments == ["-5"])
    }

    @Test func helpAnywhereShowsThatCommandsHelp() throws {
        guard case .help(let text) = try parser.parse(["alerts", "preview", "--help"]) else { Issue.record("no help"); return }
        #expect(text.hasPrefix("USAGE: tool alerts preview [options]"))
        #expect(text.contains("--days N"))
        #expect(text.contains("--db PATH"))
        guard case .help(let root) = try parser.parse(["-h"]) else { Issue.record("no help"); return }
        #expect(root.contains("  eval      Evaluate."))
        #expect(root.contains("  alerts    Alerts."))
        #expect(try parser.parse(["--version"]) == .version)
    }

    @Test(arguments: [
        (["frob"], "unknown command 'frob'"),
        (["alerts", "frob"], "unknown command 'frob' for 'tool alerts'"),
        ([], "no command given"),
        (["alerts"], "'tool alerts' needs a subcommand"),
        (["eval"], "missing argument FILE"),
        (["eval", "a", "b"], "unexpected argument 'b'"),
        (["eval", "a", "--xml"], "unknown option '--xml' for 'tool eval'"),
        (["eval", "a", "--db"], "option '--db' needs a value PATH"),
        (["eval", "a", "--json=yes"], "flag '--json' takes no value"),
        (["alerts", "preview", "--json"], "unknown option '--json' for 'tool alerts preview'"),
    ])
    func usageErrorsSayWhatIsWrong(args: [String], message: String) {
        do {
            _ = try parser.parse(args)
            Issue.record("parsed \(args) without error")
        } catch {
            #expect(error.message == message)
            #expect(error.usage.hasPrefix("USAGE: tool"))
        }
    }
}
