import BaohaoSupport
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and validates the understanding data in `Intents/` (and carrier names from the
/// catalogue when there is one). Any problem stops the load with file, entry, field and reason.
public enum UnderstandingDataLoader {
    /// Everything loaded, including full FAQ entries for the knowledge base.
    public struct Loaded: Sendable {
        public var data: UnderstandingData
        public var faqEntries: [FAQEntry]
    }

    public static let regions: Set<String> = ["US", "HK", "UK"]

    /// Loads `directory` (Intents/). Carrier names come from `carriersFile` when it exists,
    /// otherwise from `directory/carriers.json`.
    public static func load(directory: String, carriersFile: String? = nil) throws(UnderstandingDataError) -> Loaded {
        let t2sPath = directory + "/t2s.tsv"
        let t2s = try CharacterMap(tsv: try readText(t2sPath), source: t2sPath)
        let phrases = try loadPhrases(directory + "/cantonese.json")
        let pinyin = try loadPinyin(directory + "/pinyin.json")
        let synonyms = try loadSynonyms(directory + "/synonyms.json")
        var intents: [IntentExamples] = []
        for intent in ActionIntent.allCases.map(\.rawValue) + [Labels.outOfScope] {
            intents.append(try loadIntent(directory + "/\(intent).json", expected: intent))
        }
        intents = try addingExamples(from: directory + "/examples", to: intents)
        let training = try loadTraining(from: directory + "/training")
        let faqEntries = try loadFAQ(directory + "/faq.json")
        let cues = try loadCues(directory + "/cues.json", concepts: Set(synonyms.map(\.concept)))
        let carriersPath = carriersFile.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil } ?? directory + "/carriers.json"
        let carriers = try loadCarriers(carriersPath)
        let data = UnderstandingData(
            traditionalToSimplified: t2s, phrases: phrases, synonyms: synonyms, intents: intents,
            faq: faqEntries.map(\.document), cues: cues, carriers: carriers, training: training, pinyin: pinyin)
        return Loaded(data: data, faqEntries: faqEntries)
    }

    // MARK: - Files

    private struct PhraseFile: Decodable { let phrases: [[String]] }
    private struct SynonymFile: Decodable {
        struct Group: Decodable { let concept: String; let terms: [String] }
        let groups: [Group]
    }
    private struct IntentFile: Decodable {
        let intent: String
        let description: String?
        let examples: [String: [String]]
    }
    private struct FAQFile: Decodable {
        struct Entry: Decodable {
            struct Tags: Decodable { let region: [String]?; let carrier: [String]? }
            let id: String?
            let topic: String?
            let tags: Tags?
            let question: [String: String]?
            let phrasings: [String]?
            /// A null answer: that language was left out on purpose.
            let answer: [String: String?]?
            let threshold: Double?
            let variants: [Variant]?
        }
        struct Variant: Decodable {
            let id: String?
            let tags: Entry.Tags?
            let answer: [String: String?]?
        }
        let entries: [Entry]
    }
    private struct CueFile: Decodable {
        struct Rule: Decodable {
            let when_any: [String]
            let unless_any: [String]?
            let label: String
            let boost: Double
        }
        let rules: [Rule]
    }
    private struct CarrierFile: Decodable {
        struct Carrier: Decodable {
            let id: String
            let names: [String: String]?
            let aliases: [String]?
        }
        let carriers: [Carrier]
    }

    static func readText(_ path: String) throws(UnderstandingDataError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UnderstandingDataError(file: path, entry: "", field: "", reason: "cannot read the file (does it exist?)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw UnderstandingDataError(file: path, entry: "", field: "", reason: "not valid UTF-8")
        }
        return text
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws(UnderstandingDataError) -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UnderstandingDataError(file: path, entry: "", field: "", reason: "cannot read the file (does it exist?)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: path)
        } catch {
            throw UnderstandingDataError(file: path, entry: "", field: "", reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError, file: String) -> UnderstandingDataError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            return UnderstandingDataError(file: file, entry: path(context.codingPath), field: key.stringValue, reason: "missing")
        case .typeMismatch(let type, let context):
            return UnderstandingDataError(file: file, entry: path(context.codingPath), field: "", reason: "expected \(type)")
        case .valueNotFound(let type, let context):
            return UnderstandingDataError(file: file, entry: path(context.codingPath), field: "", reason: "expected \(type), found null")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return UnderstandingDataError(file: file, entry: path(context.codingPath), field: "", reason: "not valid JSON: \(context.debugDescription)\(underlying)")
        @unknown default:
            return UnderstandingDataError(file: file, entry: "", field: "", reason: "\(error)")
        }
    }

    private static func loadPhrases(_ path: String) throws(UnderstandingDataError) -> [(from: String, to: String)] {
        let file = try decode(PhraseFile.self, path)
        var result: [(from: String, to: String)] = []
        for (index, pair) in file.phrases.enumerated() {
            guard pair.count == 2, !pair[0].isEmpty else {
                throw UnderstandingDataError(file: path, entry: "phrases[\(index)]", field: "", reason: "expected [\"phrase\", \"replacement\"] with a non-empty phrase")
            }
            result.append((pair[0], pair[1]))
        }
        return result
    }

    private struct PinyinFile: Decodable { let words: [[String]] }

    /// Pinyin words, each written as syllables joined by `-` (`xu-fei`), expanded to the
    /// syllables written together and apart (`xufei`, `xu fei`), each to its Chinese.
    private static func loadPinyin(_ path: String) throws(UnderstandingDataError) -> [(from: String, to: String)] {
        let file = try decode(PinyinFile.self, path)
        var result: [(from: String, to: String)] = []
        for (index, pair) in file.words.enumerated() {
            let entry = "words[\(index)]"
            guard pair.count == 2 else {
                throw UnderstandingDataError(file: path, entry: entry, field: "", reason: "expected [\"syl-la-bles\", \"中文\"]")
            }
            let syllables = pair[0].split(separator: "-", omittingEmptySubsequences: false)
            guard !syllables.isEmpty, syllables.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.value >= 0x61 && $0.value <= 0x7A } }) else {
                throw UnderstandingDataError(file: path, entry: entry, field: "0", reason: "\"\(pair[0])\": lower-case syllables a–z joined by '-'")
            }
            guard pair[1].unicodeScalars.contains(where: { TextNormalizer.isHan($0.value) }) else {
                throw UnderstandingDataError(file: path, entry: entry, field: "1", reason: "\"\(pair[1])\" is not Chinese")
            }
            result.append((syllables.joined(), pair[1]))
            if syllables.count > 1 { result.append((syllables.joined(separator: " "), pair[1])) }
        }
        return result
    }

    private static func loadSynonyms(_ path: String) throws(UnderstandingDataError) -> [SynonymGroup] {
        let file = try decode(SynonymFile.self, path)
        var seen: Set<String> = []
        var groups: [SynonymGroup] = []
        for (index, group) in file.groups.enumerated() {
            let entry = "groups[\(index)] (\(group.concept))"
            guard !group.concept.isEmpty, !seen.contains(group.concept) else {
                throw UnderstandingDataError(file: path, entry: entry, field: "concept", reason: "empty or repeated concept name")
            }
            seen.insert(group.concept)
            if let empty = group.terms.firstIndex(where: { isBlank($0) }) {
                throw UnderstandingDataError(file: path, entry: entry, field: "terms[\(empty)]", reason: "empty term")
            }
            guard !group.terms.isEmpty else {
                throw UnderstandingDataError(file: path, entry: entry, field: "terms", reason: "a group needs at least one term")
            }
            groups.append(SynonymGroup(concept: group.concept, terms: group.terms))
        }
        return groups
    }

    private static func loadIntent(_ path: String, expected: String) throws(UnderstandingDataError) -> IntentExamples {
        let file = try decode(IntentFile.self, path)
        guard file.intent == expected else {
            throw UnderstandingDataError(file: path, entry: "", field: "intent", reason: "is '\(file.intent)', expected '\(expected)' (the file name)")
        }
        var examples: [String] = []
        for (language, texts) in file.examples.sorted(by: { $0.key < $1.key }) {
            guard Language(rawValue: language) != nil else {
                throw UnderstandingDataError(file: path, entry: "examples", field: language, reason: "unknown language (zh-Hans, zh-Hant or en)")
            }
            for (index, text) in texts.enumerated() where isBlank(text) {
                throw UnderstandingDataError(file: path, entry: "examples.\(language)[\(index)]", field: "", reason: "empty example")
            }
            examples += texts
        }
        guard expected == Labels.outOfScope || examples.count >= 25 else {
            throw UnderstandingDataError(file: path, entry: "examples", field: "", reason: "\(examples.count) examples; an intent needs at least 25")
        }
        return IntentExamples(intent: expected, examples: examples)
    }

    /// More examples for the action intents and out-of-scope, one JSON object per line
    /// (`{"text", "intent", ...}`), from every `.jsonl` file in `folder` (none when it is
    /// missing): written by authors of different customer voices, kept apart from the intent
    /// files so that each set can be read, checked and replaced on its own. A text the
    /// intent already has is skipped; anything else wrong stops the load naming file and line.
    static func addingExamples(from folder: String, to intents: [IntentExamples]) throws(UnderstandingDataError) -> [IntentExamples] {
        var examples = Dictionary(uniqueKeysWithValues: intents.map { ($0.intent, $0.examples) })
        var seen = Dictionary(uniqueKeysWithValues: intents.map { ($0.intent, Set($0.examples)) })
        try readLabelledLines(in: folder) { (path, entry, example, intent) throws(UnderstandingDataError) in
            guard examples[intent] != nil else {
                throw UnderstandingDataError(
                    file: path, entry: entry, field: "intent", reason: "must be an action intent or out_of_scope (FAQ topics are taught through the entries' phrasings)")
            }
            if seen[intent, default: []].insert(example).inserted { examples[intent, default: []].append(example) }
        }
        return intents.map { IntentExamples(intent: $0.intent, examples: examples[$0.intent] ?? $0.examples) }
    }

    /// Messages for the learned models only, one JSON object per line (`{"text", "intent",
    /// ...}`, any evaluation label), from every `.jsonl` file in `folder` (none when it is
    /// missing), in file and line order. A repeated text is kept once; anything wrong stops
    /// the load naming file and line.
    static func loadTraining(from folder: String) throws(UnderstandingDataError) -> [LabelledUtterance] {
        let known = Set(Labels.evaluationLabels)
        var seen: Set<String> = []
        var training: [LabelledUtterance] = []
        try readLabelledLines(in: folder) { (path, entry, example, label) throws(UnderstandingDataError) in
            guard known.contains(label) else {
                throw UnderstandingDataError(file: path, entry: entry, field: "intent", reason: "\"\(label)\" is not a label (see Labels.evaluationLabels)")
            }
            if seen.insert(example).inserted { training.append(LabelledUtterance(text: example, label: label)) }
        }
        return training
    }

    /// Every line `{"text", "intent", ...}` of every `.jsonl` file in `folder` (none when it
    /// is missing), files in name order: `take(path, "line N", text, label)`. A line that is
    /// not such an object, or whose text is empty or longer than 1,000 characters, stops the
    /// reading naming file and line.
    private static func readLabelledLines(
        in folder: String, _ take: (String, String, String, String) throws(UnderstandingDataError) -> Void
    ) throws(UnderstandingDataError) {
        guard let names = fileNames(in: folder) else { return }
        for name in names.filter({ $0.hasSuffix(".jsonl") }).sorted() {
            let path = folder + "/" + name
            let text = try readText(path)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !isBlank(String(line)) {
                let entry = "line \(index + 1)"
                guard case .object(let object)? = try? JSONValue.parse(Array(line.utf8)), case .string(let example)? = object["text"],
                    case .string(let label)? = object["intent"]
                else {
                    throw UnderstandingDataError(file: path, entry: entry, field: "", reason: "not a JSON object with a \"text\" and an \"intent\"")
                }
                guard !isBlank(example), example.count <= 1_000 else {
                    throw UnderstandingDataError(file: path, entry: entry, field: "text", reason: "must be a non-empty text of at most 1,000 characters")
                }
                try take(path, entry, example, label)
            }
        }
    }

    /// The names in `folder` (nil when it cannot be read): plain readdir, which costs nothing
    /// at start-up beyond the call (Foundation's directory listing measured +0.5 MB resident).
    static func fileNames(in folder: String) -> [String]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Loads and validates FAQ entries from a file in the `faq.json` format.
    public static func loadFAQ(_ path: String) throws(UnderstandingDataError) -> [FAQEntry] {
        let file = try decode(FAQFile.self, path)
        var ids: Set<String> = []
        var entries: [FAQEntry] = []
        let topics = Labels.faqEntryTopics
        for (index, raw) in file.entries.enumerated() {
            let entry = raw.id.map { "\($0)" } ?? "entries[\(index)]"
            func fail(_ field: String, _ reason: String) -> UnderstandingDataError {
                UnderstandingDataError(file: path, entry: entry, field: field, reason: reason)
            }
            guard let id = raw.id, !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                throw fail("id", "missing or not lower-case kebab (a-z, 0-9, -)")
            }
            guard ids.insert(id).inserted else { throw fail("id", "repeats an earlier entry's or variant's id") }
            guard let topic = raw.topic, topics.contains(topic) else {
                throw fail("topic", "'\(raw.topic ?? "")' is not a known topic (\(topics.sorted().joined(separator: ", ")))")
            }
            let regions = raw.tags?.region ?? []
            if let bad = regions.first(where: { !regions_ok($0) }) { throw fail("tags.region", "'\(bad)' is not US, HK or UK") }
            let question = try languages(raw.question, field: "question", fail: fail)
            guard question.count == Language.allCases.count else {
                throw fail("question", "needs zh-Hans, zh-Hant and en")
            }
            let phrasings = raw.phrasings ?? []
            guard phrasings.count >= 4 else { throw fail("phrasings", "\(phrasings.count) phrasings; at least 4 are needed") }
            if let empty = phrasings.firstIndex(where: { isBlank($0) }) {
                throw fail("phrasings[\(empty)]", "empty phrasing")
            }
            let answer = try languages(raw.answer?.compactMapValues { $0 }, field: "answer", fail: fail)
            guard !answer.isEmpty else { throw fail("answer", "needs at least one language") }
            var leftOut: Set<Language> = []
            for (key, text) in raw.answer ?? [:] where text == nil {
                guard let language = Language(rawValue: key) else { throw fail("answer.\(key)", "unknown language (zh-Hans, zh-Hant or en)") }
                leftOut.insert(language)
            }
            if let threshold = raw.threshold, !(0...1).contains(threshold) {
                throw fail("threshold", "\(threshold) is out of range 0...1")
            }
            var variants: [FAQVariant] = []
            for (v, rawVariant) in (raw.variants ?? []).enumerated() {
                let field = "variants[\(v)]"
                guard let variantID = rawVariant.id, !variantID.isEmpty,
                    variantID.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
                else { throw fail("\(field).id", "missing or not lower-case kebab (a-z, 0-9, -)") }
                guard ids.insert(variantID).inserted else { throw fail("\(field).id", "'\(variantID)' repeats an earlier entry's or variant's id") }
                let variantRegions = rawVariant.tags?.region ?? []
                if let bad = variantRegions.first(where: { !regions_ok($0) }) { throw fail("\(field).tags.region", "'\(bad)' is not US, HK or UK") }
                let variantCarriers = rawVariant.tags?.carrier ?? []
                guard !variantRegions.isEmpty || !variantCarriers.isEmpty else { throw fail("\(field).tags", "a variant names at least one carrier or region") }
                let variantAnswer = try languages(rawVariant.answer?.compactMapValues { $0 }, field: "\(field).answer", fail: fail)
                guard !variantAnswer.isEmpty else { throw fail("\(field).answer", "needs at least one language") }
                var variantLeftOut: Set<Language> = []
                for (key, text) in rawVariant.answer ?? [:] where text == nil {
                    guard let language = Language(rawValue: key) else { throw fail("\(field).answer.\(key)", "unknown language (zh-Hans, zh-Hant or en)") }
                    variantLeftOut.insert(language)
                }
                variants.append(FAQVariant(id: variantID, regions: variantRegions, carriers: variantCarriers, answer: variantAnswer, leftOut: variantLeftOut))
            }
            entries.append(FAQEntry(
                id: id, topic: topic, regions: regions, carriers: raw.tags?.carrier ?? [], question: question,
                phrasings: phrasings, answer: answer, leftOut: leftOut, threshold: raw.threshold, variants: variants))
        }
        return entries
    }

    private static func isBlank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }

    private static func regions_ok(_ region: String) -> Bool { regions.contains(region) }

    private static func languages(
        _ values: [String: String]?, field: String, fail: (String, String) -> UnderstandingDataError
    ) throws(UnderstandingDataError) -> [Language: String] {
        var result: [Language: String] = [:]
        for (key, text) in values ?? [:] {
            guard let language = Language(rawValue: key) else { throw fail("\(field).\(key)", "unknown language (zh-Hans, zh-Hant or en)") }
            guard !isBlank(text) else { throw fail("\(field).\(key)", "empty text") }
            result[language] = text
        }
        return result
    }

    private static func loadCues(_ path: String, concepts: Set<String>) throws(UnderstandingDataError) -> [CueRule] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let file = try decode(CueFile.self, path)
        let labels = Set(Labels.evaluationLabels).union(Labels.faqEntryTopics)
        var rules: [CueRule] = []
        for (index, rule) in file.rules.enumerated() {
            let entry = "rules[\(index)]"
            for concept in rule.when_any + (rule.unless_any ?? []) where !concepts.contains(concept) {
                throw UnderstandingDataError(file: path, entry: entry, field: "when_any/unless_any", reason: "'\(concept)' is not a concept of synonyms.json")
            }
            guard !rule.when_any.isEmpty else { throw UnderstandingDataError(file: path, entry: entry, field: "when_any", reason: "must name at least one concept") }
            guard labels.contains(rule.label) else { throw UnderstandingDataError(file: path, entry: entry, field: "label", reason: "'\(rule.label)' is not a known label") }
            guard (-1...1).contains(rule.boost) else { throw UnderstandingDataError(file: path, entry: entry, field: "boost", reason: "\(rule.boost) is out of range -1...1") }
            rules.append(CueRule(whenAny: rule.when_any, unlessAny: rule.unless_any ?? [], label: rule.label, boost: rule.boost))
        }
        return rules
    }

    private static func loadCarriers(_ path: String) throws(UnderstandingDataError) -> [CarrierNames] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let file = try decode(CarrierFile.self, path)
        return file.carriers.map { carrier in
            let names = (carrier.names.map { Array($0.values) } ?? []) + (carrier.aliases ?? [])
            return CarrierNames(id: carrier.id, names: names.filter { !$0.isEmpty })
        }
    }
}
