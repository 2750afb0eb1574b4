import BaohaoCore
import FoundationEssentials
import Storage
import BaohaoSupport

/// The demo database for `baohao chat --demo`: the demo lines, with one of them bound to
/// the console user.
enum DemoDatabase {
    /// The day `Config/demo-lines.csv` is written for. The demo moves every date by the
    /// days since, so each line keeps the status it was written to show.
    static let referenceDate = CivilDate(iso: "2026-11-22")!

    /// Seeds an empty database; a database that already has lines is reused as it is.
    static func prepare(_ service: SQLiteLineService, demoFile: String, user: Int64, now: Instant) async throws -> String {
        if !(try await service.lines(visibleTo: .operator("demo")).isEmpty) {
            return "reusing the demo database"
        }
        guard let data = FileManager.default.contents(atPath: demoFile), let text = String(validating: data, as: UTF8.self) else {
            throw CommandFailure(exitCode: ExitCode.noInput, message: "cannot read the demo lines \(demoFile)")
        }
        let (rows, problems) = LinesFile.read(text, catalogue: service.catalogue)
        guard problems.isEmpty else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "the demo lines have problems:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        let shift = referenceDate.days(until: CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000))
        let shifted = rows.map { $0.shifted(byDays: shift) }
        _ = try await service.importLines(shifted, by: .operator("demo"))
        // Bind a line that is about to expire, of the catalogue's first carrier if it has
        // one, through a real code.
        let lines = try await service.lines(visibleTo: .operator("demo"))
        let soon = lines.filter { $0.status == .expiringSoon }
        let first = service.catalogue.carriers.first?.id
        guard let line = soon.first(where: { $0.carrier == first }) ?? soon.first ?? lines.first else { return "demo database is empty" }
        let code = try await service.issueBindingCode(for: line.number, by: .operator("demo"))
        _ = try await service.redeemBindingCode(code.code, chat: user)
        return "demo database ready: \(lines.count) lines, \(line.number.maskedForDisplay) (\(line.carrier)) bound to this chat"
    }
}
