import BaohaoCore
import BaohaoSupport
import FoundationEssentials
import Understanding

/// `baohao eval FILE.jsonl` when the file's lines carry `bound` carriers: answers measured in
/// context through the assistant (label accuracy, wrong-carrier and ask-which rates, accepted
/// entries, per kind), on fresh in-memory databases with real bindings.
enum EvalContextCommand {
    /// Whether `path` is a context set: its first line has a `bound` key.
    static func isContextSet(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), let first = Array(data).split(separator: UInt8(ascii: "\n")).first,
            case .object(let object)? = try? JSONValue.parse(Array(first))
        else { return false }
        return object["bound"] != nil
    }

    static func run(_ context: CommandContext, path: String) async throws -> Int32 {
        let config = try context.configuration()
        let catalogue = try context.loadCatalogue(config)
        let cases: [ContextEvaluation.Case]
        do { cases = try ContextEvaluation.load(path: path, catalogue: catalogue) } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: error.description)
        }
        let knowledge = try context.loadKnowledge(config)
        var settings = AssistantSettings(configuration: config)
        settings.regressionSetFile = nil
        let report = try await ContextEvaluation.run(cases, knowledge: knowledge, catalogue: catalogue, settings: settings, now: SystemWallClock().now())
        context.io.out(context.command.flag("--json") ? json(report) : text(report))
        return ExitCode.success
    }

    static func text(_ r: ContextEvaluation.Report) -> String {
        var lines = [
            "context cases:   \(r.count)",
            "label accuracy:  \(EvalCommand.fixed(r.labelAccuracy)) (\(EvalCommand.percent(r.labelAccuracy)))",
            "wrong carrier:   \(r.wrongCarrier) (\(EvalCommand.percent(r.wrongCarrierRate)))",
            "asked which:     \(r.asked) (\(EvalCommand.percent(r.askRate)))",
            "accepted entry:  \(r.accepted) of \(r.withAccept) FAQ answers with an accept list",
            "",
            "kind              cases  wrong  asked",
        ]
        for (kind, k) in r.perKind.sorted(by: { $0.key < $1.key }) {
            lines.append(kind + String(repeating: " ", count: max(0, 16 - kind.count)) + "  \(pad(k.count, 5))  \(pad(k.wrong, 5))  \(pad(k.asked, 5))")
        }
        if !r.wrongCases.isEmpty { lines += ["", "wrong-carrier answers:"] + r.wrongCases.map { "  " + $0 } }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ n: Int, _ width: Int) -> String { String(repeating: " ", count: max(0, width - String(n).count)) + String(n) }

    private struct JSONReport: Encodable {
        let count: Int
        let label_accuracy: Double
        let wrong_carrier: Int
        let wrong_carrier_rate: Double
        let asked: Int
        let ask_rate: Double
        let accepted: Int
        let with_accept: Int
    }

    static func json(_ r: ContextEvaluation.Report) -> String {
        let report = JSONReport(
            count: r.count, label_accuracy: r.labelAccuracy, wrong_carrier: r.wrongCarrier, wrong_carrier_rate: r.wrongCarrierRate, asked: r.asked,
            ask_rate: r.askRate, accepted: r.accepted, with_accept: r.withAccept)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
