import BaohaoSupport

/// Reads typed fields of a JSON object, recording a problem (with the key path) for every
/// wrong type or value and, at the end, for every key nobody asked for.
struct JSONObjectReader {
    let source: String
    let path: String
    private let object: [String: JSONValue]
    private var consumed: Set<String> = []
    var problems: [ConfigurationProblem] = []

    init(source: String, path: String, value: JSONValue) {
        self.source = source
        self.path = path
        if case .object(let object) = value {
            self.object = object
        } else {
            self.object = [:]
            problems.append(.init(source: source, key: path, reason: "expected an object, found \(value.typeName)"))
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func fail(_ key: String, _ reason: String) {
        problems.append(.init(source: source, key: keyPath(key), reason: reason))
    }

    mutating func takeValue(_ key: String) -> JSONValue? { take(key) }

    private mutating func take(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    mutating func string(_ key: String) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let s) = value else { fail(key, "expected a string, found \(value.typeName)"); return nil }
        return s
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .integer(let i) = value else { fail(key, "expected an integer, found \(value.typeName)"); return nil }
        guard range.contains(Int(i)) else { fail(key, "\(i) is out of range \(range.lowerBound)...\(range.upperBound)"); return nil }
        return Int(i)
    }

    mutating func int64OrNull(_ key: String) -> Int64? {
        guard let value = take(key) else { return nil }
        guard case .integer(let i) = value, i != 0 else { fail(key, "expected a non-zero integer chat id, found \(value.typeName)"); return nil }
        return i
    }

    mutating func integerArray(_ key: String) -> [Int64]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { fail(key, "expected an array of user ids, found \(value.typeName)"); return nil }
        var result: [Int64] = []
        for (index, item) in items.enumerated() {
            if case .integer(let i) = item, i > 0 { result.append(i) } else {
                fail("\(key)[\(index)]", "expected a positive integer user id, found \(item.typeName)")
            }
        }
        return result
    }

    /// A number in 0...1.
    mutating func fraction(_ key: String) -> Double? {
        guard let number = number(key) else { return nil }
        guard (0...1).contains(number) else { fail(key, "\(number) is out of range 0...1"); return nil }
        return number
    }

    mutating func positiveNumber(_ key: String) -> Double? {
        guard let number = number(key) else { return nil }
        guard number > 0, number.isFinite else { fail(key, "must be greater than 0"); return nil }
        return number
    }

    private mutating func number(_ key: String) -> Double? {
        guard let value = take(key) else { return nil }
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: fail(key, "expected a number, found \(value.typeName)"); return nil
        }
    }

    /// "HH:MM" (24-hour) as minutes after midnight.
    mutating func clockTime(_ key: String) -> Int? {
        guard let text = string(key) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { fail(key, "'\(text)' is not a time of day HH:MM (00:00 to 23:59)"); return nil }
        return h * 60 + m
    }

    mutating func object(_ key: String) -> JSONObjectReader? {
        guard let value = take(key) else { return nil }
        return JSONObjectReader(source: source, path: keyPath(key), value: value)
    }

    /// Takes over a nested reader's problems, including its unknown keys.
    mutating func absorb(_ nested: JSONObjectReader) {
        var nested = nested
        nested.rejectUnknownKeys()
        problems += nested.problems
    }

    mutating func rejectUnknownKeys() {
        for key in object.keys.sorted() where !consumed.contains(key) {
            let known = consumed.sorted().joined(separator: ", ")
            fail(key, "unknown key (known keys here: \(known))")
        }
        consumed.formUnion(object.keys)
    }
}
