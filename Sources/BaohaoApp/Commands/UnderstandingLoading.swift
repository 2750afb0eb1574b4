import BaohaoCore
import Understanding

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

    /// The carrier catalogue the configuration names.
    func loadCatalogue(_ config: BotConfiguration) throws -> CarrierCatalogue {
        do { return try CarrierCatalogueLoader.load(path: config.carriersFile) } catch {
            throw CommandFailure(exitCode: ExitCode.config, message: error.description)
        }
    }
}
