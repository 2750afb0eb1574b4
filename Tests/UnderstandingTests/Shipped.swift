import TestSupport
@testable import Understanding

/// The shipped Intents/ data, loaded once for all tests.
let shippedData: UnderstandingDataLoader.Loaded = {
    do {
        return try UnderstandingDataLoader.load(directory: repositoryRoot + "/Intents")
    } catch {
        fatalError("shipped understanding data does not load: \(error)")
    }
}()

let shippedClassifier = Classifier(data: shippedData.data)
