import BaohaoCore
import FoundationEssentials
import Storage
import Understanding
import BaohaoSupport

/// `baohao faq list|show|history|rollback|export|import`: the FAQ the bot answers from, kept
/// in the database with every version. Changes go through the same validation, regression
/// gate and audit as operators' chat commands, and reach a running bot within seconds.
enum FAQCommands {
    struct Setup {
        let database: Database
        let knowledge: AssistantKnowledge
        let editor: FAQEditor
        let clock: any WallClock
        let author: String
    }

    /// `gated`: the command changes the FAQ (import, rollback), so the regression set is read
    /// first, whole: a file that cannot be read or a bad line stops it (exit 78) before the
    /// database is opened. The other commands change nothing and never replay it.
    static func setup(_ context: CommandContext, gated: Bool) async throws -> Setup {
        let config = try context.configuration()
        let catalogue = try context.loadCatalogue(config)
        let regressionSet = gated ? try RegressionGate.loadRegressionSet(path: config.regressionSetFile) : []
        let clock = SystemWallClock()
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        let knowledge = try await context.loadKnowledge(config, database: database, clock: clock)
        let editor = FAQEditor(validator: FAQValidator(catalogue: catalogue), regressionSet: regressionSet)
        return Setup(database: database, knowledge: knowledge, editor: editor, clock: clock, author: "cli:" + (context.environment["USER"] ?? "operator"))
    }

    static func run(_ context: CommandContext) async throws -> Int32 {
        let subcommand = context.command.path.dropFirst().first
        let setup = try await setup(context, gated: subcommand == "import" || subcommand == "rollback" || subcommand == "variant")
        let io = context.io
        switch subcommand {
        case "list":
            let entries = try await setup.database.read { db in try FAQStore.current(db) }
            let topic = context.command.value("--topic")
            for entry in entries where topic == nil || entry.topic == topic {
                let variants = entry.variants.isEmpty ? "" : "\tvariants: " + entry.variants.map { "\($0.id) (\($0.scope))" }.joined(separator: ", ")
                io.out("\(entry.id)\t\(entry.topic)\t\(entry.question[.zhHans] ?? entry.question[.en] ?? "")" + variants)
            }
            return ExitCode.success
        case "show":
            let id = context.command.arguments.first ?? ""
            guard let latest = try await setup.database.read({ db in try FAQStore.latest(db, id: id) }) else { throw notFound(id) }
            guard let entry = latest.entry else { throw CommandFailure(exitCode: ExitCode.dataError, message: "\(id) is deleted (version \(latest.version)); see baohao faq history \(id)") }
            io.out("# \(id), version \(latest.version), \(latest.at) by \(latest.author)")
            io.out(FAQFileFormat.encode(entry))
            return ExitCode.success
        case "history":
            let id = context.command.arguments.first ?? ""
            let versions = try await setup.database.read { db in try FAQStore.history(db, id: id) }
            guard !versions.isEmpty else { throw notFound(id) }
            for version in versions {
                io.out("v\(version.version)  \(version.at)  \(version.author)\(version.entry == nil ? "  (deleted)" : "")")
                for line in version.note.split(separator: "\n", omittingEmptySubsequences: false) { io.out("    " + line) }
            }
            return ExitCode.success
        case "rollback":
            let arguments = context.command.arguments
            guard arguments.count == 2, let version = Int(arguments[1]) else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "usage: baohao faq rollback ID VERSION")
            }
            let saved = try await apply(.rollback(id: arguments[0], to: version, basedOn: nil), setup, context)
            io.out("\(saved.entryID) is now version \(saved.version) (the content of version \(version)).")
            return ExitCode.success
        case "export":
            guard let path = context.command.arguments.first else { throw CommandFailure(exitCode: ExitCode.usage, message: "usage: baohao faq export FILE.json") }
            let entries = try await setup.database.read { db in try FAQStore.current(db) }
            do { try Data(FAQFileFormat.encodeFile(entries).utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw CommandFailure(exitCode: ExitCode.ioError, message: "cannot write \(path): \(error)")
            }
            io.out("wrote \(entries.count) entries to \(path)")
            return ExitCode.success
        case "import":
            return try await importFile(setup, context)
        case "variant":
            return try await variant(setup, context)
        default:
            throw CommandFailure(exitCode: ExitCode.usage, message: "usage: baohao faq list|show|history|rollback|export|import|variant")
        }
    }

    static func notFound(_ id: String) -> CommandFailure { CommandFailure(exitCode: ExitCode.dataError, message: "there is no FAQ entry '\(id)' (see baohao faq list)") }

    static func apply(_ change: FAQEditor.Change, _ setup: Setup, _ context: CommandContext) async throws -> FAQStore.Version {
        let editor = setup.editor, classifier = setup.knowledge.classifier, author = setup.author, now = setup.clock.now()
        let accept = context.command.flag("--accept-regressions")
        do {
            return try await setup.database.write { db in
                try editor.apply(change, in: db, classifier: classifier, author: author, at: now, acceptingRegressions: accept)
            }
        } catch let rejection as FAQEditor.Rejection {
            var message = rejection.description
            if case .regressions = rejection { message += "\nrun again with --accept-regressions to save anyway" }
            throw CommandFailure(exitCode: ExitCode.dataError, message: message)
        }
    }

    /// Validates the whole file first and applies all of it or nothing, each changed entry as a new version.
    static func importFile(_ setup: Setup, _ context: CommandContext) async throws -> Int32 {
        guard let path = context.command.arguments.first else { throw CommandFailure(exitCode: ExitCode.usage, message: "usage: baohao faq import FILE.json [--dry-run]") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(exitCode: ExitCode.noInput, message: "cannot read \(path)") }
        let plan = try await setup.database.read { [editor = setup.editor] db in try FAQImport.plan(Array(data), in: db, validator: editor.validator) }
        guard plan.problems.isEmpty else {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(path): \(plan.problems.count) problem(s), nothing imported:\n" + plan.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        let io = context.io
        for change in plan.changes { io.out("\(change.kind) \(change.entry.id)" + (change.diff.isEmpty ? "" : "\n" + change.diff.map { "    " + $0 }.joined(separator: "\n"))) }
        io.out("\(plan.changes.count) change(s), \(plan.unchanged) unchanged")
        if context.command.flag("--dry-run") || plan.changes.isEmpty { return ExitCode.success }
        let editor = setup.editor, classifier = setup.knowledge.classifier, author = setup.author, now = setup.clock.now()
        let accept = context.command.flag("--accept-regressions")
        do {
            try await setup.database.write { db in
                try db.transaction {
                    let regressions = try FAQImport.regressions(plan, in: db, editor: editor, classifier: classifier)
                    guard regressions.isEmpty || accept else { throw FAQEditor.Rejection.regressions(regressions) }
                    // Absorbed entries go first, so that the ids they free are free when their new owner is saved.
                    for change in plan.changes where change.kind == "absorb" {
                        try editor.absorb(change.entry.id, basedOn: change.basedOn ?? 0, into: change.absorbedInto ?? "", in: db, author: author, at: now)
                    }
                    for change in plan.changes where change.kind != "absorb" {
                        try editor.apply(.save(change.entry, basedOn: change.basedOn), in: db, classifier: classifier, author: author, at: now, acceptingRegressions: true)
                    }
                }
            }
        } catch let rejection as FAQEditor.Rejection {
            var message = "nothing imported: " + rejection.description
            if case .regressions = rejection { message += "\nrun again with --accept-regressions to import anyway" }
            throw CommandFailure(exitCode: ExitCode.dataError, message: message)
        }
        io.out("imported \(plan.changes.count) change(s)")
        return ExitCode.success
    }

    /// `faq variant ID SCOPE --zh-Hans TEXT --zh-Hant TEXT --en TEXT [--id VARIANT] | --remove`:
    /// adds the entry's answer for a carrier or region, changes it (the languages given), or
    /// removes it; saved as a new version of the entry through the editor.
    static func variant(_ setup: Setup, _ context: CommandContext) async throws -> Int32 {
        let usage = "usage: baohao faq variant ID CARRIER|REGION [--zh-Hans TEXT] [--zh-Hant TEXT] [--en TEXT] [--id VARIANT] [--remove]"
        let arguments = context.command.arguments
        guard arguments.count >= 2 else { throw CommandFailure(exitCode: ExitCode.usage, message: usage) }
        let id = arguments[0]
        let (regions, carriers) = FAQEntry.scope(arguments.dropFirst().joined(separator: " "))
        guard let latest = try await setup.database.read({ db in try FAQStore.latest(db, id: id) }), let entry = latest.entry else { throw notFound(id) }
        let existing = entry.variant(carriers: carriers, regions: regions)
        let changed: FAQEntry
        if context.command.flag("--remove") {
            guard let existing else {
                throw CommandFailure(exitCode: ExitCode.dataError, message: "\(id) has no variant for \((carriers + regions).joined(separator: " "))")
            }
            changed = entry.removingVariant(existing.id)
        } else {
            let texts = Language.allCases.compactMap { language in context.command.value("--" + language.rawValue).map { (language, $0) } }
            guard !texts.isEmpty else { throw CommandFailure(exitCode: ExitCode.usage, message: usage + "\n(give at least one answer)") }
            let taken = Set(try await setup.database.read { db in try FAQStore.current(db) }.flatMap { [$0.id] + $0.variants.map(\.id) })
            let variantID = existing?.id ?? context.command.value("--id") ?? entry.newVariantID(carriers: carriers, regions: regions, taken: taken)
            var edited = existing == nil ? entry.settingVariant(FAQVariant(id: variantID, regions: regions, carriers: carriers, answer: [:])) : entry
            for (language, text) in texts { edited = edited.answeringVariant(variantID, language, text) }
            changed = edited
        }
        let saved = try await apply(.save(changed, basedOn: latest.version), setup, context)
        context.io.out(saved.note)
        context.io.out("\(id) is now version \(saved.version)")
        return ExitCode.success
    }
}
