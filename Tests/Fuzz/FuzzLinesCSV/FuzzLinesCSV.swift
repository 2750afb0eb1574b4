// libFuzzer harness for the lines import (`baohao lines import FILE.csv`, `make fuzz`); a plain
// `swift build` makes it replay inputs instead (see FuzzDriver). Run from the repository root (it
// loads Config/carriers.json). On every input:
// - CSV: a syntax error names a line of the text; records come in order, on lines of the text, and
//   written back with `CSV.line` they parse to the same fields;
// - the lines file, on text that is UTF-8 as the command requires: every problem names a line of
//   the text and a column of the header (or none, for the whole row); a line gives a row or
//   problems, never both; and the rows, written back as a file, read back as the same rows with
//   no problem.
import BaohaoCore
import BaohaoSupport
import FuzzDriver
import Understanding

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzLinesCSV", entry: fuzzLinesCSV, seeds: "Tests/Fuzz/Seeds/lines-csv") }
}

let catalogue: CarrierCatalogue = {
    do { return try CarrierCatalogueLoader.load() } catch { fatalError("run from the repository root: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLinesCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    checkCSV(String(decoding: bytes, as: UTF8.self))
    // The command refuses a file that is not UTF-8 before reading it.
    if let text = String(validating: bytes, as: UTF8.self) { checkLinesFile(text) }
    return 0
}

/// The most lines `text` can have as CSV counts them: a line ends at LF, CR LF or a lone CR.
private func lineCount(_ text: String) -> Int {
    var count = 1, afterCR = false
    for scalar in text.unicodeScalars {
        if scalar == "\n" && !afterCR || scalar == "\r" { count += 1 }
        afterCR = scalar == "\r"
    }
    return count
}

private func checkCSV(_ text: String) {
    let lines = lineCount(text)
    let records: [CSV.Record]
    do {
        records = try CSV.parse(text)
    } catch {
        fuzzRequire((1...lines).contains(error.line) && !error.reason.isEmpty, "\(text.debugDescription): the error \(error) names no line of the text")
        return
    }
    for (record, next) in zip(records, records.dropFirst()) {
        fuzzRequire(record.line < next.line, "\(text.debugDescription): records out of order: \(records)")
    }
    if let last = records.last { fuzzRequire(records[0].line >= 1 && last.line <= lines, "\(text.debugDescription): a record is placed outside the text: \(records)") }
    let written = records.map { CSV.line($0.fields) }.joined(separator: "\r\n")
    do {
        let again = try CSV.parse(written)
        fuzzRequire(again.map(\.fields) == records.map(\.fields), "\(text.debugDescription) gives \(records.map(\.fields)); written back as \(written.debugDescription) it gives \(again.map(\.fields))")
    } catch {
        fuzzRequire(false, "\(text.debugDescription) gives \(records.map(\.fields)); written back as \(written.debugDescription) it does not parse: \(error)")
    }
}

private func checkLinesFile(_ text: String) {
    let lines = lineCount(text)
    let (rows, problems) = LinesFile.read(text, catalogue: catalogue)
    for problem in problems {
        fuzzRequire((1...lines).contains(problem.line), "\(text.debugDescription): \(problem) names no line of the text")
        fuzzRequire(problem.column.isEmpty || LinesFile.header.contains(problem.column), "\(text.debugDescription): \(problem) names no column")
        fuzzRequire(!problem.reason.isEmpty, "\(text.debugDescription): a problem without a reason on line \(problem.line)")
    }
    let problemLines = Set(problems.map(\.line))
    for (row, next) in zip(rows, rows.dropFirst()) { fuzzRequire(row.line < next.line, "\(text.debugDescription): rows out of order") }
    for row in rows {
        fuzzRequire(row.line >= 2 && row.line <= lines, "\(text.debugDescription): a row is placed on line \(row.line)")
        fuzzRequire(!problemLines.contains(row.line), "\(text.debugDescription): line \(row.line) gives a row and a problem")
    }
    guard !rows.isEmpty else { return }
    // Written back as `LinesFile.write` writes lines, the rows read back as they are.
    var file = CSV.line(LinesFile.header) + "\n"
    for row in rows {
        file += CSV.line([
            row.number.e164, row.carrier, row.plan, row.balance.decimalString, row.balance.currency, row.expiresOn.description,
            row.autoRenew ? "true" : "false", row.note,
        ]) + "\n"
    }
    let (again, againProblems) = LinesFile.read(file, catalogue: catalogue)
    fuzzRequire(againProblems.isEmpty, "\(text.debugDescription): its rows written back as \(file.debugDescription) have problems \(againProblems)")
    fuzzRequire(again.count == rows.count, "\(text.debugDescription): \(rows.count) rows read back as \(again.count)")
    for (a, b) in zip(rows, again) {
        fuzzRequire(
            a.number == b.number && a.carrier == b.carrier && a.plan == b.plan && a.balance == b.balance && a.expiresOn == b.expiresOn
                && a.autoRenew == b.autoRenew && a.note == b.note,
            "\(text.debugDescription): the row \(a) reads back as \(b) from \(file.debugDescription)")
    }
}
