public import Understanding
public import BaohaoSupport

/// The `Intents/faq.json` format: `{"entries": [{"id", "topic", "tags": {"region", "carrier"},
/// "question": {lang: text}, "phrasings": [...], "answer": {lang: text or null}, "threshold"?,
/// "variants"?: [{"id", "tags": {"region", "carrier"}, "answer": {lang: text or null}}]}]}`.
/// A null answer leaves that language out on purpose. Files and stored versions written
/// before variants existed read as entries without variants. Used for export, import and the stored versions.
public enum FAQFileFormat {
    /// The entries of a whole file, or every problem found in it (each with its entry and field).
    public static func decodeFile(_ bytes: [UInt8]) -> Result<[FAQEntry], FAQProblems> {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            return .failure(FAQProblems([FAQProblem(entry: "file", field: "", reason: "not valid JSON (\(error))")]))
        }
        guard case .object(let object) = root else { return .failure(FAQProblems([FAQProblem(entry: "file", field: "", reason: "expected an object with \"entries\"")])) }
        guard case .array(let items)? = object["entries"] else {
            return .failure(FAQProblems([FAQProblem(entry: "file", field: "entries", reason: "missing, or not an array")]))
        }
        var problems: [FAQProblem] = []
        for key in object.keys.sorted() where key != "entries" { problems.append(FAQProblem(entry: "file", field: key, reason: "unknown key")) }
        var entries: [FAQEntry] = []
        for (index, item) in items.enumerated() {
            switch decodeEntry(item, position: "entries[\(index)]") {
            case .success(let entry): entries.append(entry)
            case .failure(let found): problems += found.problems
            }
        }
        return problems.isEmpty ? .success(entries) : .failure(FAQProblems(problems))
    }

    /// One entry object; `position` names it in problems until its id is known.
    public static func decodeEntry(_ value: JSONValue, position: String) -> Result<FAQEntry, FAQProblems> {
        guard case .object(let object) = value else { return .failure(FAQProblems([FAQProblem(entry: position, field: "", reason: "expected an object, found \(value.typeName)")])) }
        var name = position
        if case .string(let id)? = object["id"], !id.isEmpty { name = id }
        var problems: [FAQProblem] = []
        func fail(_ field: String, _ reason: String) { problems.append(FAQProblem(entry: name, field: field, reason: reason)) }
        let known: Set<String> = ["id", "topic", "tags", "question", "phrasings", "answer", "threshold", "variants"]
        for key in object.keys.sorted() where !known.contains(key) { fail(key, "unknown key") }

        func string(_ key: String) -> String? {
            guard let v = object[key] else { fail(key, "missing"); return nil }
            guard case .string(let s) = v else { fail(key, "expected a string, found \(v.typeName)"); return nil }
            return s
        }
        func strings(_ v: JSONValue?, _ field: String) -> [String] {
            guard let v, v != .null else { return [] }
            guard case .array(let items) = v else { fail(field, "expected an array of strings, found \(v.typeName)"); return [] }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if case .string(let s) = item { out.append(s) } else { fail("\(field)[\(i)]", "expected a string, found \(item.typeName)") }
            }
            return out
        }
        func languages(_ key: String, allowNull: Bool, in object: [String: JSONValue] = object, field: String? = nil) -> (texts: [Language: String], leftOut: Set<Language>) {
            let name = field ?? key
            guard let v = object[key] else { fail(name, "missing"); return ([:], []) }
            guard case .object(let map) = v else { fail(name, "expected an object of language → text, found \(v.typeName)"); return ([:], []) }
            var texts: [Language: String] = [:], leftOut: Set<Language> = []
            for (code, text) in map.sorted(by: { $0.key < $1.key }) {
                guard let language = Language(rawValue: code) else { fail("\(name).\(code)", "unknown language (zh-Hans, zh-Hant or en)"); continue }
                switch text {
                case .string(let s): texts[language] = s
                case .null where allowNull: leftOut.insert(language)
                default: fail("\(name).\(code)", allowNull ? "expected a string, or null to leave this language out" : "expected a string, found \(text.typeName)")
                }
            }
            return (texts, leftOut)
        }
        func tags(_ value: JSONValue?, _ field: String) -> (regions: [String], carriers: [String]) {
            guard let value, value != .null else { return ([], []) }
            guard case .object(let t) = value else { fail(field, "expected an object, found \(value.typeName)"); return ([], []) }
            for key in t.keys.sorted() where key != "region" && key != "carrier" { fail("\(field).\(key)", "unknown key") }
            return (strings(t["region"], "\(field).region"), strings(t["carrier"], "\(field).carrier"))
        }

        let id = string("id") ?? ""
        let topic = string("topic") ?? ""
        let (regions, carriers) = tags(object["tags"], "tags")
        let question = languages("question", allowNull: false).texts
        let phrasings = strings(object["phrasings"], "phrasings")
        let (answer, leftOut) = languages("answer", allowNull: true)
        var threshold: Double?
        switch object["threshold"] {
        case nil, .null?: threshold = nil
        case .integer(let i)?: threshold = Double(i)
        case .number(let d)?: threshold = d
        case let other?: fail("threshold", "expected a number, found \(other.typeName)")
        }
        var variants: [FAQVariant] = []
        switch object["variants"] {
        case nil, .null?: break
        case .array(let items)?:
            for (v, item) in items.enumerated() {
                let field = "variants[\(v)]"
                guard case .object(let variant) = item else { fail(field, "expected an object, found \(item.typeName)"); continue }
                for key in variant.keys.sorted() where !["id", "tags", "answer"].contains(key) { fail("\(field).\(key)", "unknown key") }
                guard case .string(let variantID)? = variant["id"] else { fail("\(field).id", "missing, or not a string"); continue }
                let (variantRegions, variantCarriers) = tags(variant["tags"], "\(field).tags")
                let (variantAnswer, variantLeftOut) = languages("answer", allowNull: true, in: variant, field: "\(field).answer")
                variants.append(FAQVariant(id: variantID, regions: variantRegions, carriers: variantCarriers, answer: variantAnswer, leftOut: variantLeftOut))
            }
        case let other?: fail("variants", "expected an array, found \(other.typeName)")
        }
        guard problems.isEmpty else { return .failure(FAQProblems(problems)) }
        return .success(
            FAQEntry(
                id: id, topic: topic, regions: regions, carriers: carriers, question: question, phrasings: phrasings, answer: answer, leftOut: leftOut,
                threshold: threshold, variants: variants))
    }

    /// One entry as the JSON object the file holds (keys in the file's order, languages in a fixed order).
    public static func encode(_ entry: FAQEntry, indent: String = "") -> String {
        let i1 = indent + "  ", i2 = indent + "    "
        func list(_ items: [String], _ inner: String) -> String {
            items.isEmpty ? "[]" : "[\n" + items.map { inner + "  " + JSONText.quoted($0) }.joined(separator: ",\n") + "\n" + inner + "]"
        }
        func languages(_ texts: [Language: String], leftOut: Set<Language>, _ outer: String = i1) -> String {
            let inner = outer + "  "
            let parts = Language.allCases.compactMap { language -> String? in
                if let text = texts[language] { return inner + JSONText.quoted(language.rawValue) + ": " + JSONText.quoted(text) }
                if leftOut.contains(language) { return inner + JSONText.quoted(language.rawValue) + ": null" }
                return nil
            }
            return parts.isEmpty ? "{}" : "{\n" + parts.joined(separator: ",\n") + "\n" + outer + "}"
        }
        func tags(_ regions: [String], _ carriers: [String], _ outer: String) -> String {
            let inner = outer + "  "
            return "{\n" + inner + "\"region\": " + list(regions, inner) + ",\n" + inner + "\"carrier\": " + list(carriers, inner) + "\n" + outer + "}"
        }
        var fields = [
            i1 + "\"id\": " + JSONText.quoted(entry.id),
            i1 + "\"topic\": " + JSONText.quoted(entry.topic),
            i1 + "\"tags\": " + tags(entry.regions, entry.carriers, i1),
            i1 + "\"question\": " + languages(entry.question, leftOut: []),
            i1 + "\"phrasings\": " + list(entry.phrasings, i1),
            i1 + "\"answer\": " + languages(entry.answer, leftOut: entry.leftOut),
        ]
        if let threshold = entry.threshold { fields.append(i1 + "\"threshold\": " + String(threshold)) }
        if !entry.variants.isEmpty {
            let v1 = i2 + "  "
            let variants = entry.variants.map { variant in
                i2 + "{\n" + v1 + "\"id\": " + JSONText.quoted(variant.id) + ",\n" + v1 + "\"tags\": " + tags(variant.regions, variant.carriers, v1) + ",\n"
                    + v1 + "\"answer\": " + languages(variant.answer, leftOut: variant.leftOut, v1) + "\n" + i2 + "}"
            }
            fields.append(i1 + "\"variants\": [\n" + variants.joined(separator: ",\n") + "\n" + i1 + "]")
        }
        return indent + "{\n" + fields.joined(separator: ",\n") + "\n" + indent + "}"
    }

    /// A whole file.
    public static func encodeFile(_ entries: [FAQEntry]) -> String {
        "{\n  \"entries\": [\n" + entries.map { encode($0, indent: "    ") }.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
