import BaohaoCore
import FoundationEssentials
import Understanding

#if canImport(Glibc)
import Glibc
#endif

/// `baohao lines ...`: the operators' tools for lines.
enum LinesCommands {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let lines = try await LinesContext.open(context)
        do {
            switch context.command.path {
            case ["lines", "import"]: return try await importFile(context, lines)
            case ["lines", "export"]: return try await export(context, lines)
            case ["lines", "list"]: return try await list(context, lines)
            case ["lines", "show"]: return try await show(context, lines)
            case ["lines", "issue-code"]: return try await issueCode(context, lines)
            case ["lines", "topup"]: return try await topUp(context, lines)
            case ["lines", "cancel"]: return try await cancel(context, lines)
            case ["lines", "port-out"]: return try await portOut(context, lines)
            case ["lines", "renewal-failed"]: return try await renewalFailed(context, lines)
            default: throw CommandFailure(exitCode: ExitCode.software, message: "no handler for '\(context.command.path.joined(separator: " "))'")
            }
        } catch let error as LineError {
            throw CommandFailure(exitCode: ExitCode.dataError, message: error.description)
        } catch let error as RenewalOrders.Mismatch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: error.description)
        }
    }

    // MARK: import / export

    static func importFile(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let path = context.command.arguments[0]
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(exitCode: ExitCode.noInput, message: "cannot read \(path)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "\(path) is not UTF-8 text; nothing imported")
        }
        let (rows, problems) = LinesFile.read(text, catalogue: lines.service.catalogue)
        let skip = context.command.flag("--skip-invalid")
        if !problems.isEmpty {
            for problem in problems { context.io.err("\(path): \(problem)") }
            let badRows = Set(problems.map(\.line)).count
            if !skip || rows.isEmpty {
                context.io.err("nothing imported: \(badRows) row\(badRows == 1 ? " has" : "s have") problems" + (skip ? "" : " (--skip-invalid imports the valid rows only)"))
                return ExitCode.dataError
            }
        }
        let showProgress = context.standardErrorIsTerminal && rows.count >= 2000
        let err = context.io.err
        let summary = try await lines.service.importLines(rows, by: lines.actor, progressEvery: 1000) { done, total in
            if showProgress { err("importing \(path): \(done)/\(total) rows") }
        }
        let skipped = problems.isEmpty ? "" : ", \(Set(problems.map(\.line)).count) invalid rows skipped"
        context.io.out("imported \(path): \(summary.created) created, \(summary.updated) updated, \(summary.unchanged) unchanged\(skipped)")
        return ExitCode.success
    }

    static func export(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let path = context.command.arguments[0]
        let all = try await lines.service.lines(visibleTo: lines.actor)
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(LinesFile.write(all).utf8)) else {
            throw CommandFailure(exitCode: ExitCode.failure, message: "cannot write \(path)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure(exitCode: ExitCode.failure, message: "cannot write \(path)")
        }
        context.io.out("exported \(all.count) line\(all.count == 1 ? "" : "s") to \(path)")
        return ExitCode.success
    }

    // MARK: reports

    static func list(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        var filter = LineFilter()
        if let s = context.command.value("--status") {
            guard let status = LineStatus(rawValue: s) else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "--status '\(s)' is not one of \(LineStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        if let d = context.command.value("--expiring-within") {
            guard let days = Int(d), (0...3650).contains(days) else {
                throw CommandFailure(exitCode: ExitCode.usage, message: "--expiring-within '\(d)' is not a number of days (0 to 3650)")
            }
            filter.expiringWithinDays = days
        }
        let found = try await lines.service.list(filter)
        context.io.out(LinesTable.render(found))
        context.io.out("\(found.count) line\(found.count == 1 ? "" : "s")")
        return ExitCode.success
    }

    static func show(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        let line = try await lines.service.line(number, visibleTo: lines.actor)
        let ledger = try await lines.service.ledger(number, visibleTo: lines.actor)
        let chats = try await lines.service.chats(boundTo: number)
        let carrier = lines.service.catalogue.carrier(line.carrier)
        var out = [
            "number      \(line.number.e164)",
            "carrier     \(carrier?.names.english ?? line.carrier) (\(line.carrier)), plan \(line.plan)",
            "balance     \(line.balance.display)",
            "expires on  \(line.expiresOn) (\(carrier?.timeZone ?? "UTC")), \(LinesTable.days(line.daysLeft))",
            "status      \(line.status.rawValue)" + (line.request == .cancelPending ? " (cancellation pending)" : ""),
            "auto-renew  \(line.autoRenew ? "on" : "off")",
            "bound chats \(chats.isEmpty ? "none" : chats.map(String.init).joined(separator: ", "))",
        ]
        if !line.note.isEmpty { out.append("note        \(line.note)") }
        out.append("")
        out.append("ledger (\(ledger.count) entries):")
        for e in ledger {
            let delta = Money(minorUnits: e.balanceDeltaMinor, currency: e.currency)
            let expiry = e.expiresBefore.map { $0 == e.expiresAfter ? "expiry \($0)" : "expiry \($0)→\(e.expiresAfter)" } ?? "expiry \(e.expiresAfter)"
            let request = e.requestBefore == e.requestAfter ? "" : " request \(e.requestBefore ?? "none")→\(e.requestAfter ?? "none")"
            out.append(
                "  \(e.at)  \(e.reason)  by \(e.actor)\(e.reference.map { " ref \($0)" } ?? "")  balance \(delta.minorUnits >= 0 ? "+" : "")\(delta.decimalString)"
                    + " = \(Money(minorUnits: e.balanceAfterMinor, currency: e.currency).decimalString)  \(expiry)\(request)"
                    + (e.detail.isEmpty ? "" : "  (\(e.detail))"))
        }
        context.io.out(out.joined(separator: "\n"))
        return ExitCode.success
    }

    // MARK: changes

    static func issueCode(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        let issued = try await lines.service.issueBindingCode(for: number, by: lines.actor)
        context.io.out(
            """
            binding code for \(issued.number.e164): \(issued.code)
            the customer sends:  /bind \(issued.code)
            or opens:            https://t.me/\(lines.configuration.botUsername)?start=\(issued.code)
            valid until \(issued.expiresAt), once; any earlier unused code for this line no longer works
            """)
        return ExitCode.success
    }

    static func topUp(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        guard let reference = context.command.value("--ref") else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "--ref REF is required: it makes a retried top-up change nothing")
        }
        let line = try await lines.service.line(number, visibleTo: lines.actor)
        let choice: RenewalChoice
        switch (context.command.value("--cycle"), context.command.value("--amount")) {
        case (let cycle?, nil): choice = .option(cycle)
        case (nil, let amount?):
            do { choice = .amount(try Money.parse(decimal: amount, currency: line.currency)) } catch {
                throw CommandFailure(exitCode: ExitCode.usage, message: "--amount: \(error)")
            }
        default:
            throw CommandFailure(exitCode: ExitCode.usage, message: "give exactly one of --cycle (such as 3m) or --amount (such as 50)")
        }
        // A reference that is one of the assistant's renewal orders settles it: the customer
        // is told the new expiry, in the same transaction.
        let replies: ReplyBook?
        do { replies = try ReplyBook.load(path: lines.configuration.intentsDirectory + "/replies.json") } catch { replies = nil }
        let actor = lines.actor
        let (receipt, settled): (RenewalReceipt, Bool) = try await lines.service.writing { session in
            let order = try RenewalOrders.check(session.db, reference: reference, number: number, choice: choice)
            let receipt = try session.renew(number, choice, reference: reference, by: actor)
            if let order, let replies {
                try RenewalOrders.settle(session.db, order, receipt: receipt, replies: replies, at: session.now)
                return (receipt, true)
            }
            return (receipt, false)
        }
        context.io.out(
            """
            \(receipt.number.e164): \(receipt.choice), price \(Money(minorUnits: receipt.priceMinor, currency: receipt.currency).display)
            expiry \(receipt.previousExpiry) → \(receipt.newExpiry); balance now \(Money(minorUnits: receipt.balanceAfterMinor, currency: line.currency).display)
            \(receipt.explanation)
            reference \(receipt.reference) (running it again changes nothing)\(settled ? "\nthe customer's renewal order is paid; the customer is told the new expiry" : "")
            """)
        return ExitCode.success
    }

    static func cancel(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        let confirm = context.command.flag("--confirm")
        let reference = context.command.value("--ref") ?? "cli-cancel-\(confirm ? "confirm" : "request")-\(number.e164)"
        let receipt =
            confirm
            ? try await lines.service.confirmCancellation(number, reference: reference, by: lines.actor)
            : try await lines.service.requestCancellation(number, reference: reference, by: lines.actor)
        let balance = Money(minorUnits: receipt.balanceMinor, currency: receipt.currency)
        context.io.out(
            """
            \(receipt.number.e164): \(receipt.state == .pending ? "cancellation requested, pending (confirm with: baohao lines cancel \(receipt.number.e164) --confirm)" : "cancelled")
            remaining balance \(balance.display); the carrier's refund rule: \(receipt.refundRule.english)
            """)
        return ExitCode.success
    }

    static func renewalFailed(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        guard let reason = context.command.value("--reason"), !reason.isEmpty else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "--reason TEXT is required: what the payment provider said")
        }
        let reference = context.command.value("--ref") ?? "cli-renewal-failed-\(number.e164)-\(reason)"
        let actor = lines.actor
        _ = try await lines.service.writing { try $0.recordAutoRenewFailure(number, reason: reason, reference: reference, by: actor) }
        context.io.out("\(number.e164): failed automatic renewal recorded; the bound chats are told at the next alert check")
        return ExitCode.success
    }

    static func portOut(_ context: CommandContext, _ lines: LinesContext) async throws -> Int32 {
        let number = try await lines.number(context.command.arguments[0])
        let done = context.command.flag("--done"), failed = context.command.flag("--failed")
        guard !(done && failed) else { throw CommandFailure(exitCode: ExitCode.usage, message: "give --done or --failed, not both") }
        if done || failed {
            let reference = context.command.value("--ref") ?? "cli-port-out-\(done ? "done" : "failed")-\(number.e164)"
            let line = try await lines.service.finishPortOut(number, succeeded: done, reference: reference, by: lines.actor)
            context.io.out("\(number.e164): port-out \(done ? "completed; the line is cancelled (ported out)" : "failed; the line is \(line.status.rawValue) again")")
        } else {
            let reference = context.command.value("--ref") ?? "cli-port-out-\(number.e164)"
            let receipt = try await lines.service.requestPortOut(number, reference: reference, by: lines.actor)
            context.io.out("\(number.e164): port-out recorded; the carrier needs \(receipt.credential)\n\(receipt.instructions.english)")
        }
        return ExitCode.success
    }
}
