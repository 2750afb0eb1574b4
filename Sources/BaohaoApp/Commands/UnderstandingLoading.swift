import BaohaoCore
import Understanding

extension CommandContext {
    /// The classifier built from the configured Intents/ folder and carrier catalogue.
    func loadClassifier(_ config: BotConfiguration) throws -> Classifier {
        let loaded: UnderstandingDataLoader.Loaded
        do {
            loaded = try UnderstandingDataLoader.load(directory: config.intentsDirectory, carriersFile: config.carriersFile)
        } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "understanding data: \(error)")
        }
        return Classifier(
            data: loaded.data,
            policy: DecisionPolicy(threshold: config.understanding.confidenceThreshold, clarifyMargin: config.understanding.clarifyMargin))
    }
}
