// libFuzzer harness for the FAQ import (`baohao faq import FILE.json`, `make fuzz`); a plain
// `swift build` makes it replay inputs instead (see FuzzDriver). Run from the repository root (it
// loads Config/carriers.json and Intents/faq.json). The input is the file, planned against a
// database holding three of the shipped entries (one with a variant). On every input:
// - a file that does not decode gives problems, each naming its entry (or the file) and a reason;
// - a plan with problems changes nothing (the import is all or nothing);
// - a plan without problems comes from a file whose every entry passes the validator, alone and as
//   a member of the FAQ the import leaves (no id of an entry or a variant used twice), and whose
//   entries the plan all adds, updates or finds unchanged;
// - the entries of a file that decodes, exported again, decode to the same entries.
import BaohaoCore
import BaohaoSupport
import FuzzDriver
import Storage
import Understanding

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzFAQImport", entry: fuzzFAQImport, seeds: "Tests/Fuzz/Seeds/faq-import") }
}

/// The ids of the shipped entries the database holds before every import.
let storedIDs = ["hk-renew-online-vs-store", "prepaid-vs-postpaid", "real-name-general"]

let validator: FAQValidator = {
    do { return FAQValidator(catalogue: try CarrierCatalogueLoader.load()) } catch { fatalError("run from the repository root: \(error)") }
}()

nonisolated(unsafe) let database: SQLiteConnection = {
    do {
        let shipped = try UnderstandingDataLoader.loadFAQ("Intents/faq.json")
        let db = try SQLiteConnection(path: ":memory:")
        _ = try Migrator.migrate(db, BaohaoSchema.migrations)
        try FAQStore.seedIfEmpty(db, entries: shipped.filter { storedIDs.contains($0.id) }, author: "fuzz", at: Instant(secondsSinceEpoch: 1_780_000_000))
        return db
    } catch {
        fatalError("run from the repository root: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFAQImport(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoded = FAQFileFormat.decodeFile(bytes)
    if case .failure(let found) = decoded {
        fuzzRequire(!found.problems.isEmpty, "a file refused without a problem")
        for problem in found.problems {
            fuzzRequire(!problem.entry.isEmpty && !problem.reason.isEmpty, "a problem that names no entry or no reason: \(problem)")
        }
    }
    if case .success(let entries) = decoded { checkExport(entries) }

    let plan: FAQImport.Plan
    do { plan = try FAQImport.plan(bytes, in: database, validator: validator) } catch {
        fuzzRequire(false, "planning the import threw \(error)")
        return 0
    }
    for problem in plan.problems {
        fuzzRequire(!problem.entry.isEmpty && !problem.reason.isEmpty, "a problem that names no entry or no reason: \(problem)")
    }
    guard plan.problems.isEmpty else {
        fuzzRequire(plan.changes.isEmpty, "a plan with problems \(plan.problems) still changes \(plan.changes.map(\.entry.id))")
        return 0
    }
    guard case .success(let entries) = decoded else {
        fuzzRequire(false, "a plan without problems for a file that does not decode")
        return 0
    }
    checkValid(entries, plan: plan)
    return 0
}

/// Exported and imported again, `entries` are the same.
private func checkExport(_ entries: [FAQEntry]) {
    let file = FAQFileFormat.encodeFile(entries)
    switch FAQFileFormat.decodeFile(Array(file.utf8)) {
    case .success(let again): fuzzRequire(again == entries, "entries export to a file that decodes differently: \(file.debugDescription)")
    case .failure(let problems): fuzzRequire(false, "entries export to a file that does not decode (\(problems)): \(file.debugDescription)")
    }
}

/// A file the plan accepts is a valid FAQ, and the plan covers it.
private func checkValid(_ entries: [FAQEntry], plan: FAQImport.Plan) {
    let absorbed = Set(plan.changes.filter { $0.kind == "absorb" }.map(\.entry.id))
    let fileIDs = Set(entries.map(\.id))
    let stored: [FAQEntry]
    do { stored = try FAQStore.current(database) } catch {
        fuzzRequire(false, "reading the stored FAQ threw \(error)")
        return
    }
    let after = stored.filter { !fileIDs.contains($0.id) && !absorbed.contains($0.id) } + entries
    fuzzRequire(fileIDs.count == entries.count, "accepted a file with an id twice: \(entries.map(\.id))")
    for entry in entries {
        let problems = validator.problems(entry, in: after)
        fuzzRequire(problems.isEmpty, "accepted \(entry.id), which has problems \(problems)")
    }
    let planned = plan.changes.filter { $0.kind != "absorb" }.map(\.entry.id)
    fuzzRequire(Set(planned).isSubset(of: fileIDs) && planned.count + plan.unchanged == entries.count, "the plan \(planned) (and \(plan.unchanged) unchanged) does not cover \(entries.map(\.id))")
    for id in absorbed { fuzzRequire(entries.contains { $0.variants.contains { $0.id == id } }, "absorbs \(id), which no entry holds as a variant") }
}
