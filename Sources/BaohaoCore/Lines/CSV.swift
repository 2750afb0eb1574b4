/// RFC 4180 CSV: fields separated by commas, quoted with `"` when they hold commas,
/// quotes or line breaks (`""` is a quote inside). A UTF-8 byte-order mark and CRLF line
/// ends are accepted.
public enum CSV {
    /// A record and the line it starts on (1-based).
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
    }

    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Every record of `text`; blank lines are skipped.
    public static func parse(_ text: String) throws(SyntaxError) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var quoted = false, wasQuoted = false, afterQuote = false
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(String(field))
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = String.UnicodeScalarView()
            wasQuoted = false
            afterQuote = false
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; afterQuote = true; pending = next }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                wasQuoted = false
                afterQuote = false
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !afterQuote else { throw SyntaxError(line: line, reason: "a quote in the middle of an unquoted field (quote the whole field and double the quote)") }
                quoted = true
                wasQuoted = true
            default:
                if afterQuote { throw SyntaxError(line: line, reason: "text after a closing quote") }
                field.append(c)
            }
        }
        if quoted { throw SyntaxError(line: recordLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// One record as CSV text, quoting only where needed: a field with a comma, a quote or a line
    /// break, one with a space at either end, one starting with a byte-order mark (which `parse`
    /// drops at the start of a file), and a record of one empty field (which would read as a blank
    /// line). `parse` reads it back as the same fields.
    public static func line(_ fields: [String]) -> String {
        if fields == [""] { return "\"\"" }
        return fields.map { f in
            f.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || f.hasPrefix(" ") || f.hasSuffix(" ")
                || f.unicodeScalars.first == "\u{FEFF}"
                ? "\"" + f.replacingQuotes + "\"" : f
        }.joined(separator: ",")
    }
}

extension String {
    /// Every quote doubled. By scalars: a quote followed by a combining mark is one Character,
    /// which a comparison with "\"" would miss.
    fileprivate var replacingQuotes: String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == "\"" { out.append("\"") }
            out.append(scalar)
        }
        return String(out)
    }
}
