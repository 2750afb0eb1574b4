import Understanding
import BaohaoSupport

extension JSONObjectReader {
    mutating func bool(_ key: String) -> Bool? {
        guard let value = takeValue(key) else { return nil }
        guard case .bool(let b) = value else { fail(key, "expected true or false, found \(value.typeName)"); return nil }
        return b
    }

    /// An array's items, each with its key path (`plans[2]`).
    mutating func array(_ key: String) -> [(path: String, value: JSONValue)]? {
        guard let value = takeValue(key) else { return nil }
        guard case .array(let items) = value else { fail(key, "expected an array, found \(value.typeName)"); return nil }
        return items.enumerated().map { ("\(keyPath(key))[\($0)]", $1) }
    }

    mutating func stringArray(_ key: String) -> [String]? {
        guard let items = array(key) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if case .string(let s) = item.value { result.append(s) } else { fail("\(key)[\(index)]", "expected a string, found \(item.value.typeName)") }
        }
        return result
    }

    mutating func nonEmptyString(_ key: String) -> String? {
        guard let s = string(key) else { return nil }
        guard !s.trimmingSpaces.isEmpty else { fail(key, "must not be empty"); return nil }
        return s
    }

    /// `{"zh-Hans": ..., "zh-Hant": ..., "en": ...}`, all three present and non-empty.
    mutating func localized(_ key: String) -> LocalizedText? {
        guard var nested = object(key) else { return nil }
        let s = nested.nonEmptyString("zh-Hans"), t = nested.nonEmptyString("zh-Hant"), e = nested.nonEmptyString("en")
        for (k, v) in [("zh-Hans", s), ("zh-Hant", t), ("en", e)] where v == nil && !nested.problems.contains(where: { $0.key == nested.keyPath(k) }) {
            nested.fail(k, "missing (every text needs zh-Hans, zh-Hant and en)")
        }
        absorb(nested)
        guard let s, let t, let e else { return nil }
        return LocalizedText(simplified: s, traditional: t, english: e)
    }

    /// A decimal string in `currency`, parsed exactly.
    mutating func money(_ key: String, currency: String, positive: Bool = false) -> Money? {
        guard let text = takeValue(key) else { return nil }
        guard case .string(let s) = text else { fail(key, "expected an amount as a string such as \"12.50\" (never a JSON number), found \(text.typeName)"); return nil }
        do {
            let money = try Money.parse(decimal: s, currency: currency)
            if positive && money.minorUnits <= 0 { fail(key, "must be greater than 0"); return nil }
            return money
        } catch {
            fail(key, error.description)
            return nil
        }
    }

    mutating func require<T>(_ value: T?, _ key: String) -> T? {
        let path = keyPath(key)
        if value == nil && !problems.contains(where: { $0.key == path || $0.key.hasPrefix(path + ".") || $0.key.hasPrefix(path + "[") }) {
            fail(key, "missing")
        }
        return value
    }
}

extension JSONObjectReader {
    /// Whether the object has `key` at all (marked as read: the caller reports it).
    mutating func has(_ key: String) -> Bool { takeValue(key) != nil }

    /// A length of time in seconds: an integer of seconds, or a string such as `"24h"`,
    /// `"90m"`, `"3600s"`, `"2d"`.
    mutating func duration(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = takeValue(key) else { return nil }
        let seconds: Int?
        switch value {
        case .integer(let i): seconds = Int(exactly: i)
        case .string(let text):
            let unit = text.last.map(String.init) ?? ""
            let multiplier = ["s": 1, "m": 60, "h": 3600, "d": 86_400][unit]
            seconds = multiplier.flatMap { m in Int(text.dropLast()).map { $0 * m } }
        default: seconds = nil
        }
        guard let seconds else {
            fail(key, "expected seconds or a duration such as \"24h\", \"90m\", \"2d\", found \(value.typeName == "string" ? "'\(value)'" : value.typeName)")
            return nil
        }
        guard range.contains(seconds) else { fail(key, "\(seconds) s is out of range \(range.lowerBound)...\(range.upperBound) s"); return nil }
        return seconds
    }
}
