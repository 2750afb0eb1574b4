import BaohaoCore
import Storage
import Understanding
import BaohaoSupport

extension CommandContext {
    /// The classifier built from the configured Intents/ folder and carrier catalogue.
    func loadClassifier(_ config: BotConfiguration) throws -> Classifier {
        try classifier(try loadUnderstanding(config), config)
    }

    func loadUnderstanding(_ config: BotConfiguration) throws -> UnderstandingDataLoader.Loaded {
        do {
            return try UnderstandingDataLoader.load(directory: config.intentsDirectory, carriersFile: config.carriersFile)
        } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "understanding data: \(error)")
        }
    }

    func classifier(_ loaded: UnderstandingDataLoader.Loaded, _ config: BotConfiguration) throws -> Classifier {
        Classifier(
            data: loaded.data,
            policy: DecisionPolicy(threshold: config.understanding.confidenceThreshold, clarifyMargin: config.understanding.clarifyMargin))
    }

    /// The assistant's knowledge: classifier, FAQ answers and reply templates.
    func loadKnowledge(_ config: BotConfiguration) throws -> AssistantKnowledge {
        let loaded = try loadUnderstanding(config)
        let replies: ReplyBook
        do { replies = try ReplyBook.load(path: config.intentsDirectory + "/replies.json") } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "reply templates: \(error)")
        }
        return AssistantKnowledge(
            classifier: try classifier(loaded, config), faq: loaded.faqEntries, replies: replies,
            traditionalToSimplified: loaded.data.traditionalToSimplified)
    }

    /// The knowledge answering from the FAQ the database holds. A database without an FAQ
    /// gets the file's entries as their first versions.
    func loadKnowledge(_ config: BotConfiguration, database: Database, clock: any WallClock) async throws -> AssistantKnowledge {
        var loaded = try loadUnderstanding(config)
        let seed = loaded.faqEntries, source = "file:" + config.intentsDirectory + "/faq.json", now = clock.now()
        let snapshot = try await database.write { db in
            try FAQStore.seedIfEmpty(db, entries: seed, author: source, at: now)
            try FAQRegroup.absorb(db, shipped: seed, author: source, at: now)
            return FAQSnapshot(entries: try FAQStore.current(db), generation: try FAQStore.generation(db))
        }
        loaded.data.faq = snapshot.entries.map(\.document)
        loaded.faqEntries = snapshot.entries
        let replies: ReplyBook
        do { replies = try ReplyBook.load(path: config.intentsDirectory + "/replies.json") } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "reply templates: \(error)")
        }
        return AssistantKnowledge(
            classifier: try classifier(loaded, config), faq: loaded.faqEntries, replies: replies,
            traditionalToSimplified: loaded.data.traditionalToSimplified, faqGeneration: snapshot.generation)
    }

    /// The carrier catalogue the configuration names.
    func loadCatalogue(_ config: BotConfiguration) throws -> CarrierCatalogue {
        do { return try CarrierCatalogueLoader.load(path: config.carriersFile) } catch {
            throw CommandFailure(exitCode: ExitCode.config, message: error.description)
        }
    }
}
