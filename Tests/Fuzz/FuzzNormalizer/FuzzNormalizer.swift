// libFuzzer harness for normalization, tokenization and classification (`make fuzz`); a plain
// `swift build` makes it replay inputs instead (see FuzzDriver). Run from the repository root
// (it loads Intents/).
import FuzzDriver
import Understanding

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzNormalizer", entry: fuzzNormalizer, seeds: "Tests/Fuzz/Seeds/normalizer") }
}

let classifier: Classifier = {
    guard let loaded = try? UnderstandingDataLoader.load(directory: "Intents", carriersFile: "Config/carriers.json") else {
        fatalError("run from the repository root")
    }
    return Classifier(data: loaded.data)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNormalizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let once = classifier.normalizer.normalize(text)
    // Normalization is idempotent.
    precondition(classifier.normalizer.normalize(once.string) == once, "not idempotent: \(Array(text.unicodeScalars.map(\.value)))")
    let tokens = classifier.tokenizer.tokens(once)
    // At most a unigram and a bigram per unit, and one concept per unit (leftmost-longest
    // concepts do not overlap): 3 per unit, and a unit holds at least one scalar.
    precondition(tokens.count <= 3 * once.scalars.count, "\(tokens.count) tokens for \(once.scalars.count) scalars")
    let decision = classifier.classify(text)
    precondition(decision.candidates.count <= 5 && (0...1).contains(decision.confidence))
    return 0
}
