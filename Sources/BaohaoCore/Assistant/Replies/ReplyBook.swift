import FoundationEssentials
public import Understanding
import BaohaoSupport

/// The assistant's reply templates in three languages, checked at load: every `ReplyKey`
/// present in every language, and the same placeholders in each language.
public struct ReplyBook: Sendable {
    private let texts: [ReplyKey: [Language: String]]

    public init(texts: [ReplyKey: [Language: String]]) { self.texts = texts }

    /// Why the templates cannot be used.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let problems: [String]
        public var description: String { "\(file):\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    public static func load(path: String) throws(LoadError) -> ReplyBook {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(file: path, problems: ["cannot read the file"]) }
        guard case .object(let root)? = try? JSONValue.parse(Array(data)), case .object(let replies)? = root["replies"] else {
            throw LoadError(file: path, problems: ["expected an object with a \"replies\" object"])
        }
        var problems: [String] = []
        var texts: [ReplyKey: [Language: String]] = [:]
        for key in replies.keys.sorted() where ReplyKey(rawValue: key) == nil { problems.append("\(key): not a reply the assistant sends (typo?)") }
        for key in ReplyKey.allCases {
            guard case .object(let entry)? = replies[key.rawValue] else { problems.append("\(key.rawValue): missing"); continue }
            var byLanguage: [Language: String] = [:]
            var placeholderSets: [Language: Set<String>] = [:]
            for language in Language.allCases {
                guard case .string(let text)? = entry[language.rawValue], !text.isEmpty else {
                    problems.append("\(key.rawValue).\(language.rawValue): missing")
                    continue
                }
                byLanguage[language] = text
                placeholderSets[language] = placeholders(in: text)
            }
            for k in entry.keys.sorted() where k != "note" && Language(rawValue: k) == nil { problems.append("\(key.rawValue).\(k): unknown key") }
            if let first = placeholderSets[.en] {
                for (language, set) in placeholderSets where set != first {
                    problems.append("\(key.rawValue).\(language.rawValue): placeholders \(set.sorted()) differ from en's \(first.sorted())")
                }
            }
            texts[key] = byLanguage
        }
        guard problems.isEmpty else { throw LoadError(file: path, problems: problems) }
        return ReplyBook(texts: texts)
    }

    static func placeholders(in text: String) -> Set<String> {
        var result: Set<String> = []
        var current: String?
        for c in text {
            if c == "{" { current = "" } else if c == "}", let name = current { result.insert(name); current = nil } else if current != nil { current!.append(c) }
        }
        return result
    }

    /// The reply in `language` with `{name}` placeholders filled: values are HTML-escaped,
    /// except those named in `html` (already safe HTML the assistant built).
    public func text(_ key: ReplyKey, _ language: Language, _ values: [String: String] = [:], html: Set<String> = []) -> String {
        let template = texts[key]?[language] ?? texts[key]?[.zhHans] ?? key.rawValue
        guard template.contains("{") else { return template }
        var out = ""
        var name: String?
        for c in template {
            if c == "{" {
                name = ""
            } else if c == "}", let n = name {
                let value = values[n] ?? ""
                out += html.contains(n) ? value : HTML.escape(value)
                name = nil
            } else if name != nil {
                name!.append(c)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The reply as plain text (for button labels).
    public func label(_ key: ReplyKey, _ language: Language, _ values: [String: String] = [:]) -> String {
        HTML.plainText(text(key, language, values))
    }
}
