import BaohaoCore
import Understanding

/// `baohao classify TEXT`: what the bot makes of one message, and why.
enum ClassifyCommand {
    static func run(_ context: CommandContext) throws -> Int32 {
        let config = try context.configuration()
        let classifier = try context.loadClassifier(config)
        let text = context.command.arguments[0]
        context.io.out(render(classifier.classify(text, explain: true), text: text))
        return ExitCode.success
    }

    static func render(_ decision: Decision, text: String) -> String {
        func f(_ x: Double) -> String {
            let scaled = Int((x * 1000).rounded())
            return "\(scaled / 1000).\(String(repeating: "0", count: 3 - String(scaled % 1000).count))\(scaled % 1000)"
        }
        var lines = ["text:       \(text)", "normalized: \(decision.normalized.string)"]
        switch decision.outcome {
        case .answer(let c): lines.append("decision:   answer \(c.target) (label \(c.label), score \(f(c.score)))")
        case .clarify(let options): lines.append("decision:   clarify between " + options.map { "\($0.target) (\(f($0.score)))" }.joined(separator: ", ") + " — counted as \(decision.label)")
        case .outOfScope:
            let why = decision.candidates.first.map { $0.target == .outOfScope ? "closest to out-of-scope examples" : "best score \(f($0.score)) is below the threshold" } ?? "nothing matched"
            lines.append("decision:   out_of_scope (\(why))")
        }
        lines.append("candidates:")
        if decision.candidates.isEmpty { lines.append("  (none)") }
        for (rank, c) in decision.candidates.enumerated() {
            lines.append("  \(rank + 1). \(c.target)  label=\(c.label)  score=\(f(c.score))  nearest=\(f(c.nearest))  centroid=\(f(c.centroid))")
            lines.append("     closest example: \(c.nearestExample)")
            if !c.sharedTokens.isEmpty { lines.append("     shared tokens: \(c.sharedTokens.joined(separator: " · "))") }
            for adjustment in c.adjustments { lines.append("     \(adjustment)") }
        }
        lines.append("tokens known:   " + (decision.matchedTokens.isEmpty ? "(none)" : decision.matchedTokens.joined(separator: " · ")))
        lines.append("tokens unknown: " + (decision.unknownTokens.isEmpty ? "(none)" : decision.unknownTokens.joined(separator: " · ")))
        lines.append("entities:" + (decision.entities.isEmpty ? " (none)" : ""))
        for entity in decision.entities { lines.append("  \(entity)") }
        return lines.joined(separator: "\n")
    }
}
