public import Understanding
public import BaohaoSupport

/// A validated row of a lines CSV file.
public struct LineImportRow: Sendable, Equatable {
    public let line: Int
    public let number: PhoneNumber
    public let carrier: String
    public let plan: String
    public let balance: Money
    public let expiresOn: CivilDate
    public let autoRenew: Bool
    public let note: String

    public init(line: Int, number: PhoneNumber, carrier: String, plan: String, balance: Money, expiresOn: CivilDate, autoRenew: Bool, note: String) {
        self.line = line
        self.number = number
        self.carrier = carrier
        self.plan = plan
        self.balance = balance
        self.expiresOn = expiresOn
        self.autoRenew = autoRenew
        self.note = note
    }

    /// The same row with its expiry moved by `days`.
    public func shifted(byDays days: Int) -> LineImportRow {
        LineImportRow(line: line, number: number, carrier: carrier, plan: plan, balance: balance, expiresOn: expiresOn.adding(days: days), autoRenew: autoRenew, note: note)
    }
}

/// One thing wrong with a row: the file's line, the column and why.
public struct LineFileProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: String
    public let reason: String
    public var description: String { column.isEmpty ? "line \(line): \(reason)" : "line \(line), \(column): \(reason)" }
}

/// The operators' lines file: `number,carrier,plan,balance,currency,expires_on,auto_renew,note`.
public enum LinesFile {
    public static let header = ["number", "carrier", "plan", "balance", "currency", "expires_on", "auto_renew", "note"]
    public static let maximumNoteLength = 500

    /// Every row checked against the catalogue. `rows` holds the valid ones, `problems` every
    /// problem found (all of them, not just the first).
    public static func read(_ text: String, catalogue: CarrierCatalogue) -> (rows: [LineImportRow], problems: [LineFileProblem]) {
        let records: [CSV.Record]
        do { records = try CSV.parse(text) } catch { return ([], [LineFileProblem(line: error.line, column: "", reason: error.reason)]) }
        guard let head = records.first else { return ([], [LineFileProblem(line: 1, column: "", reason: "the file is empty; it needs the header \(header.joined(separator: ","))")]) }
        let names = head.fields.map { $0.trimmingSpaces.lowercased() }
        guard names == header else {
            return ([], [LineFileProblem(line: head.line, column: "", reason: "the header must be exactly \(header.joined(separator: ",")) (found \(head.fields.joined(separator: ",")))")])
        }
        var rows: [LineImportRow] = []
        var problems: [LineFileProblem] = []
        var firstLineOf: [String: Int] = [:]
        for record in records.dropFirst() {
            var rowProblems: [LineFileProblem] = []
            func fail(_ column: String, _ reason: String) { rowProblems.append(LineFileProblem(line: record.line, column: column, reason: reason)) }
            guard record.fields.count == header.count else {
                problems.append(LineFileProblem(line: record.line, column: "", reason: "has \(record.fields.count) fields; expected \(header.count)"))
                continue
            }
            let f = record.fields.map(\.trimmingSpaces)
            let carrierID = f[1].lowercased()
            let carrier = catalogue.carrier(carrierID)
            if carrier == nil { fail("carrier", "unknown carrier '\(f[1])' (known: \(catalogue.ids.joined(separator: ", ")))") }
            var number: PhoneNumber?
            do { number = try PhoneNumber.parse(f[0], region: carrier?.region) } catch { fail("number", error.description) }
            if let number, let carrier, number.region != carrier.region {
                fail("number", "\(number.e164) is a \(number.region) number but \(carrier.id) is a \(carrier.region) carrier")
            }
            if let number {
                if let first = firstLineOf[number.e164] { fail("number", "\(number.e164) is already on line \(first)") } else { firstLineOf[number.e164] = record.line }
            }
            let planID = f[2].lowercased()
            if let carrier, carrier.plan(planID) == nil {
                fail("plan", "\(carrier.id) has no plan '\(f[2])' (plans: \(carrier.plans.map(\.id).joined(separator: ", ")))")
            }
            let currency = f[4].uppercased()
            if let carrier, currency != carrier.currency { fail("currency", "'\(f[4])' is not \(carrier.id)'s currency \(carrier.currency)") }
            var balance: Money?
            do { balance = try Money.parse(decimal: f[3], currency: carrier?.currency ?? (Money.minorDigits(of: currency) != nil ? currency : "USD")) } catch {
                fail("balance", error.description)
            }
            let expires = CivilDate(iso: f[5])
            if expires == nil { fail("expires_on", "'\(f[5])' is not a date YYYY-MM-DD") }
            var autoRenew: Bool?
            switch f[6].lowercased() {
            case "true", "yes", "1", "y": autoRenew = true
            case "false", "no", "0", "n", "": autoRenew = false
            default: fail("auto_renew", "'\(f[6])' is not true or false")
            }
            if record.fields[7].count > maximumNoteLength { fail("note", "longer than \(maximumNoteLength) characters") }
            if rowProblems.isEmpty, let number, let carrier, let balance, let expires, let autoRenew {
                rows.append(LineImportRow(line: record.line, number: number, carrier: carrier.id, plan: planID, balance: balance, expiresOn: expires, autoRenew: autoRenew, note: f[7]))
            }
            problems += rowProblems
        }
        return (rows, problems)
    }

    /// The file for `lines`, header first.
    public static func write(_ lines: [LineView]) -> String {
        var out = CSV.line(header) + "\n"
        for l in lines {
            out += CSV.line([l.number.e164, l.carrier, l.plan, l.balance.decimalString, l.currency, l.expiresOn.description, l.autoRenew ? "true" : "false", l.note]) + "\n"
        }
        return out
    }
}
