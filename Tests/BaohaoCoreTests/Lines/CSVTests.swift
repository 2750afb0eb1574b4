import Testing
@testable import BaohaoCore

@Suite struct CSVTests {
    private static func record(_ line: Int, _ fields: [String]) -> CSV.Record { CSV.Record(line: line, fields: fields) }

    private static func syntaxError(_ text: String) -> CSV.SyntaxError? {
        do {
            let records = try CSV.parse(text)
            Issue.record("parsed as \(records) but should have been refused")
            return nil
        } catch {
            return error
        }
    }

    @Test func lineFeedsAndByteOrderMark() throws {
        #expect(try CSV.parse("a,b\nc,d\n") == [Self.record(1, ["a", "b"]), Self.record(2, ["c", "d"])])
        #expect(try CSV.parse("\u{FEFF}a,b\nc,d\n") == [Self.record(1, ["a", "b"]), Self.record(2, ["c", "d"])])
        // Only a leading mark is dropped.
        #expect(try CSV.parse("a,\u{FEFF}b\n") == [Self.record(1, ["a", "\u{FEFF}b"])])
    }

    @Test func carriageReturnLineFeeds() throws {
        #expect(try CSV.parse("a,b\r\nc,d\r\n") == [Self.record(1, ["a", "b"]), Self.record(2, ["c", "d"])])
        #expect(try CSV.parse("\u{FEFF}x\r\ny\r\nz") == [Self.record(1, ["x"]), Self.record(2, ["y"]), Self.record(3, ["z"])])
        // A lone CR ends a record too.
        #expect(try CSV.parse("a\rb\r") == [Self.record(1, ["a"]), Self.record(2, ["b"])])
    }

    @Test func quotedFields() throws {
        #expect(try CSV.parse("\"a,b\",c\n") == [Self.record(1, ["a,b", "c"])])
        #expect(try CSV.parse("\"say \"\"hi\"\"\",x\n") == [Self.record(1, ["say \"hi\"", "x"])])
        #expect(try CSV.parse("\"\"\"\"\n") == [Self.record(1, ["\""])])
        #expect(try CSV.parse("a,\"\",b\n") == [Self.record(1, ["a", "", "b"])])
        #expect(try CSV.parse("\" padded \"\n") == [Self.record(1, [" padded "])])
    }

    @Test func emptyFields() throws {
        #expect(try CSV.parse("a,,b\n,\n") == [Self.record(1, ["a", "", "b"]), Self.record(2, ["", ""])])
        #expect(try CSV.parse("a,\n") == [Self.record(1, ["a", ""])])
        // A lone quoted empty field is a record, not a blank line.
        #expect(try CSV.parse("\"\"\nx\n") == [Self.record(1, [""]), Self.record(2, ["x"])])
    }

    @Test func lineBreaksInsideQuotesKeepTheLineCount() throws {
        let text = "a,\"first\nsecond\"\nb,c\n"
        #expect(try CSV.parse(text) == [Self.record(1, ["a", "first\nsecond"]), Self.record(3, ["b", "c"])])
        let crlf = "a,\"one\r\ntwo\r\nthree\"\r\nb,c\r\n"
        #expect(try CSV.parse(crlf) == [Self.record(1, ["a", "one\r\ntwo\r\nthree"]), Self.record(4, ["b", "c"])])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        #expect(try CSV.parse("a\n\n\nb\n") == [Self.record(1, ["a"]), Self.record(4, ["b"])])
        #expect(try CSV.parse("\r\n\r\na\r\n\r\n") == [Self.record(3, ["a"])])
        #expect(try CSV.parse("") == [])
        #expect(try CSV.parse("\u{FEFF}") == [])
        #expect(try CSV.parse("\n\n") == [])
    }

    @Test func aMissingFinalNewlineStillEndsTheRecord() throws {
        #expect(try CSV.parse("a,b\nc,d") == [Self.record(1, ["a", "b"]), Self.record(2, ["c", "d"])])
        #expect(try CSV.parse("a,\"b\"") == [Self.record(1, ["a", "b"])])
        #expect(try CSV.parse("a,") == [Self.record(1, ["a", ""])])
    }

    @Test func anUnclosedQuoteNamesTheLineItStartsOn() {
        #expect(Self.syntaxError("a,b\nc,\"d\ne\nf\n") == CSV.SyntaxError(line: 2, reason: "a quoted field is never closed"))
        #expect(Self.syntaxError("\"") == CSV.SyntaxError(line: 1, reason: "a quoted field is never closed"))
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        #expect(Self.syntaxError("a\n\"b\"c\n") == CSV.SyntaxError(line: 2, reason: "text after a closing quote"))
        #expect(Self.syntaxError("\"b\" ,c\n")?.reason == "text after a closing quote")
        #expect(Self.syntaxError("x\ny\nab\"c\n")?.line == 3)
        #expect(Self.syntaxError("ab\"c\n")?.reason == "a quote in the middle of an unquoted field (quote the whole field and double the quote)")
        #expect(CSV.SyntaxError(line: 4, reason: "x").description == "line 4: x")
    }

    @Test func lineQuotesOnlyWhereNeeded() {
        #expect(CSV.line(["a", "b", ""]) == "a,b,")
        #expect(CSV.line(["a,b", "say \"hi\"", "x\ny", " pad", "pad ", "plain"]) == "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\" pad\",\"pad \",plain")
        #expect(CSV.line(["cr\rhere"]) == "\"cr\rhere\"")
    }

    @Test func lineRoundTripsThroughParse() throws {
        let rows: [[String]] = [
            ["number", "note"],
            ["+12125550142", "Mum's phone, spare"],
            ["a \"quoted\" word", "two\nlines"],
            ["", " leading and trailing ", "\"", ",", "中文，逗号"],
            ["cr\ronly", "tab\there"],
        ]
        let text = rows.map(CSV.line).joined(separator: "\n") + "\n"
        let parsed = try CSV.parse(text)
        #expect(parsed.map(\.fields) == rows)
        #expect(parsed.map(\.line) == [1, 2, 3, 5, 6])
    }

    /// Found by FuzzLinesCSV: quotes were doubled by Character, and a quote followed by a
    /// combining mark (or a joiner) is one Character, so it stayed single and the record written
    /// no longer parsed ("text after a closing quote").
    @Test func lineDoublesAQuoteFollowedByACombiningMark() throws {
        for fields in [["a \"\u{301} mark"], ["\"\u{200D}", "x"], ["say \"é\u{301}\""]] {
            #expect(try CSV.parse(CSV.line(fields) + "\n").map(\.fields) == [fields])
        }
    }

    /// Found by FuzzLinesCSV: a first field starting with a byte-order mark lost it when read
    /// back (parse drops one at the start of the text), and a record of one empty field was
    /// written as a blank line, which parse skips.
    @Test func lineQuotesALeadingByteOrderMarkAndALoneEmptyField() throws {
        let records = [["\u{FEFF}number", "x"], [""], ["", ""]]
        let text = records.map(CSV.line).joined(separator: "\n")
        #expect(try CSV.parse(text).map(\.fields) == records)
        #expect(CSV.line([""]) == "\"\"")
    }

    /// A field with a Windows line break (CR LF, which Swift counts as one Character) must be
    /// quoted too, or it splits the record.
    @Test func lineQuotesAFieldWithCRLF() throws {
        let fields = ["note", "first\r\nsecond"]
        #expect(CSV.line(fields) == "note,\"first\r\nsecond\"")
        #expect(try CSV.parse(CSV.line(fields) + "\r\n").map(\.fields) == [fields])
    }
}
