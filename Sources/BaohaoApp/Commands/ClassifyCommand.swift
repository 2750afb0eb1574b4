import BaohaoCore
import BaohaoSupport
import Understanding

/// `baohao classify TEXT`: what the bot makes of one message, and why.
enum ClassifyCommand {
    static func run(_ context: CommandContext) throws -> Int32 {
        let config = try context.configuration()
        let loaded = try context.loadUnderstanding(config)
        let classifier = try context.classifier(loaded, config)
        let catalogue = try context.loadCatalogue(config)
        let text = context.command.arguments[0]
        // The chat's carriers: `--carrier ultra,giffgaff`; none by default (an unbound chat).
        let carriers = (context.command.value("--carrier") ?? "").split(separator: ",").map { String($0).trimmingWhitespace.lowercased() }.filter { !$0.isEmpty }
        if let unknown = carriers.first(where: { catalogue.carrier($0) == nil }) {
            throw CommandFailure(exitCode: ExitCode.usage, message: "--carrier: '\(unknown)' is not a carrier of the catalogue (\(catalogue.carriers.map(\.id).joined(separator: ", ")))")
        }
        let decision = classifier.classify(text, explain: true)
        var out = render(decision, text: text)
        if let whose = WhoseAnswer.explain(decision, faq: loaded.faqEntries, carriers: carriers, catalogue: catalogue) {
            out += "\nwhose answer (\(carriers.isEmpty ? "no line" : "lines of " + carriers.joined(separator: ", "))): \(whose)"
        }
        context.io.out(out)
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
        lines.append("label model: " + decision.labelModel.map { "\($0.label) \(f($0.probability))" }.joined(separator: " · ") + "; in scope \(f(decision.inScope))")
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
