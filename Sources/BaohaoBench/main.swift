import BaohaoCore
import Foundation
import Storage
import Understanding

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// `make bench`: measures every figure we have a budget for and prints it against the budget.
/// Writes the same figures to .bench/latest.json.
let root = FileManager.default.currentDirectoryPath
let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 5
if CommandLine.arguments.dropFirst().first == "build-only" {
    try UnderstandingBench.buildOnly(intentsDirectory: root + "/Intents", times: 3)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "tokenize-only" {
    try UnderstandingBench.tokenizeOnly(intentsDirectory: root + "/Intents")
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "sweep" {
    do { try Sweep.run(root: root) } catch { print("baohao-bench: \(error)"); exit(65) }
    exit(0)
}
let messages: [String] = (try? EvaluationSet.load(root + "/Tests/Fixtures/devset.jsonl").map(\.text)) ?? []
guard !messages.isEmpty else {
    print("baohao-bench: run from the repository root (Tests/Fixtures/devset.jsonl not found)")
    exit(66)
}

struct Row {
    let key: String
    let label: String
    let sample: Sample
    let unit: String
    let budget: String
    let withinBudget: Bool
}

var rows: [Row] = []
/// Figures that could not be measured here (key, label, why): shown as NOT RUN, never as a pass.
var notRun: [(key: String, label: String, reason: String)] = []
let only = ProcessInfo.processInfo.environment["BENCH_ONLY"] ?? ""
if only.isEmpty || only == "nlu" || only == "shipped" || only == "10k" {
do {
    let nlu = try UnderstandingBench.run(intentsDirectory: root + "/Intents", messages: messages, runs: runs)
    rows.append(Row(key: "nlu_p50_us", label: "classify one message, median (shipped data)", sample: nlu.p50, unit: "µs", budget: "≤ 20", withinBudget: nlu.p50.median <= 20))
    rows.append(Row(key: "nlu_p99_us", label: "classify one message, p99 (shipped data)", sample: nlu.p99, unit: "µs", budget: "—", withinBudget: true))
    rows.append(Row(key: "nlu_10k_p50_us", label: "classify one message, median (10,000-entry FAQ)", sample: nlu.p50At10k, unit: "µs", budget: "≤ 100", withinBudget: nlu.p50At10k.median <= 100))
    rows.append(Row(key: "index_build_1k_ms", label: "build the index for 1,000 FAQ entries", sample: nlu.build1k, unit: "ms", budget: "≤ 50", withinBudget: nlu.build1k.median <= 50))
    print("stages (median µs): " + nlu.stages.map { "\($0.0) \(format($0.1, 2))" }.joined(separator: ", "))
} catch {
    print("baohao-bench: \(error)")
    exit(65)
}
}

if only.isEmpty || only == "e2e" {
    do {
        let e2e = try endToEndRows(key: "e2e", engine: nil, minimumRate: 5000, runs: min(runs, 3)) { try EndToEndBench.run(root: root, messages: messages) }
        rows += e2e.rows
        print("start-up with an empty database: \(format(e2e.startup.median)) ms")
    } catch {
        print("baohao-bench: end to end: \(error)")
    }
}

if only.isEmpty || only == "e2e-pg" {
    // The same run as above (messages, count, chats, configuration), the bot's database a
    // fresh one on a throwaway PostgreSQL server on loopback that this benchmark starts; the
    // memory figure is the bot process's alone, not the server's.
    if let reason = BenchPostgres.unavailableReason {
        print("\(reason): the end-to-end figures on PostgreSQL were NOT RUN")
        notRun.append((key: "e2e_pg_msgs_per_s", label: "messages answered per second, end to end (PostgreSQL on loopback)", reason: reason))
        notRun.append((key: "e2e_pg_peak_rss_mb", label: "peak resident memory, end-to-end run (PostgreSQL)", reason: reason))
    } else {
        do {
            // BENCH_PG_OPTIONS (server options such as `-c fsync=off`, or `-c
            // shared_preload_libraries=pg_stat_statements` for BENCH_VERBOSE's statement
            // counts) is for diagnosis: the note below then shows the changed settings.
            let server = try BenchPostgres(options: ProcessInfo.processInfo.environment["BENCH_PG_OPTIONS"] ?? "")
            defer { server.stop() }
            print("PostgreSQL for end to end: a throwaway local server on 127.0.0.1 (TCP), \(server.settings)")
            let verbose = ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil
            let e2e = try endToEndRows(key: "e2e_pg", engine: "PostgreSQL", minimumRate: 2000, runs: min(runs, 3)) {
                let database = try server.makeDatabase()
                let before = verbose ? try server.counters(database: database) : [:]
                let run = try EndToEndBench.run(root: root, messages: messages, database: database, serverCPUSeconds: { server.cpuSeconds() })
                if verbose {
                    // The bot's session has ended; give the server a moment to publish its statistics.
                    usleep(1_500_000)
                    let after = try server.counters(database: database)
                    let perMessage = after.keys.sorted().compactMap { key -> (String, Double)? in
                        let delta = (after[key] ?? 0) - (before[key] ?? 0)
                        return delta == 0 ? nil : (key, delta / Double(EndToEndBench.defaultCount))
                    }
                    print("  e2e on PostgreSQL, per message over the whole run (start-up and migrations included): "
                        + perMessage.filter { !$0.0.hasPrefix("statement: ") }.map { "\($0.0) \(format($0.1, 3))" }.joined(separator: ", "))
                    for (statement, calls) in perMessage.filter({ $0.0.hasPrefix("statement: ") }).sorted(by: { $0.1 > $1.1 }).prefix(25) {
                        print("    \(format(calls, 3))  \(statement.dropFirst("statement: ".count))")
                    }
                }
                return run
            }
            rows += e2e.rows
            print("start-up with an empty PostgreSQL database (migrations included): \(format(e2e.startup.median)) ms")
        } catch {
            print("baohao-bench: end to end on PostgreSQL: \(error)")
        }
    }
}

if only.isEmpty || only == "loaded" {
    // 100,000 bound lines and 1,000 FAQ answers (entries and their variants) in the database:
    // start-up, then 2,000 messages.
    do {
        let catalogue = try CarrierCatalogueLoader.load(path: root + "/Config/carriers.json")
        let shipped = try UnderstandingDataLoader.loadFAQ(root + "/Intents/faq.json")
        var startups: [Double] = [], memory: [Double] = []
        for _ in 0..<min(runs, 3) {
            let figures = try EndToEndBench.run(root: root, messages: messages, count: 2_000, chats: 500) { path in
                let db = try SQLiteConnection(path: path)
                _ = try Migrator.migrate(db, BaohaoSchema.migrations)
                try BenchData.insertLines(db, catalogue: catalogue, count: 100_000)
                try FAQStore.seedIfEmpty(db, entries: BenchData.faq(shipped, answers: 1_000), author: "bench", at: SystemWallClock().now())
            }
            startups.append(figures.startupMilliseconds)
            memory.append(figures.peakResidentMB)
        }
        let startup = Sample(startups), peak = Sample(memory)
        rows.append(Row(key: "startup_ms", label: "start-up to the first getUpdates (100k lines, 1k FAQ answers)", sample: startup, unit: "ms", budget: "≤ 200", withinBudget: startup.median <= 200))
        rows.append(Row(key: "rss_mb_100k_lines", label: "peak resident memory, 100k lines, 1k FAQ answers", sample: peak, unit: "MB", budget: "≤ 40", withinBudget: peak.median <= 40))
    } catch {
        print("baohao-bench: loaded: \(error)")
    }
}

if only.isEmpty || only == "pipeline" {
    do {
        let rate = try await PipelineBench.run(root: root, messages: messages, count: Int(ProcessInfo.processInfo.environment["BENCH_PIPELINE_COUNT"] ?? "") ?? 20_000, runs: min(runs, 3))
        rows.append(Row(key: "pipeline_msgs_per_s", label: "pipeline: updates handled per second (no network)", sample: rate, unit: "/s", budget: "≥ 10000", withinBudget: rate.median >= 10_000))
    } catch {
        print("baohao-bench: pipeline: \(error)")
    }
}

if only == "sender" {
    for clients in [1, 2, 4] {
        let rate = (try? await SenderBench.run(clients: clients)) ?? 0
        print("sender alone, \(clients) client(s): \(format(rate, 0)) messages/s")
    }
}

if only.isEmpty || only == "alerts" {
    do {
        let alerts = try AlertsBench.run(root: root, runs: min(runs, 3))
        let seconds = Sample(alerts.sample.values.map { $0 / 1000 })
        rows.append(Row(key: "alerts_due_1m_s", label: "find the due alerts among 1,000,000 lines", sample: seconds, unit: "s", budget: "≤ 1", withinBudget: seconds.median <= 1))
        print("due alerts found: \(alerts.due)")
    } catch {
        print("baohao-bench: alerts: \(error)")
    }
}

print("")
print("figure                                              median    (min … max)         budget   ok")
for row in rows {
    let name = row.label + String(repeating: " ", count: max(0, 50 - row.label.count))
    let value = format(row.sample.median) + " " + row.unit
    let spread = "(" + format(row.sample.minimum) + " … " + format(row.sample.maximum) + ")"
    print("\(name)  \(value.padding(10))  \(spread.padding(18))  \((row.budget + " " + row.unit).padding(8))  \(row.withinBudget ? "yes" : "NO")")
}
for figure in notRun {
    let name = figure.label + String(repeating: " ", count: max(0, 50 - figure.label.count))
    print("\(name)  NOT RUN: \(figure.reason)")
}
print("(\(runs) runs each, \(messages.count) messages from Tests/Fixtures/devset.jsonl, release build, one core)")

// JSON for machines.
var json: [String: Double] = [:]
for row in rows { json[row.key] = row.sample.median }
var spread: [String: [Double]] = [:]
for row in rows { spread[row.key] = [row.sample.minimum, row.sample.maximum] }
struct Output: Encodable {
    let figures: [String: Double]
    let spread: [String: [Double]]
    /// The figures that could not be measured here, with the reason.
    let notRun: [String: String]
    let cores: Int
    let commit: String
    enum CodingKeys: String, CodingKey { case figures, spread, notRun = "not_run", cores, commit }
}
func currentCommit() -> String {
    guard let head = try? String(contentsOfFile: root + "/.git/HEAD", encoding: .utf8) else { return "unknown" }
    let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.hasPrefix("ref: ") else { return trimmed }
    let ref = String(trimmed.dropFirst(5))
    return (try? String(contentsOfFile: root + "/.git/" + ref, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
}
let output = Output(figures: json, spread: spread, notRun: Dictionary(notRun.map { ($0.key, $0.reason) }, uniquingKeysWith: { a, _ in a }), cores: ProcessInfo.processInfo.activeProcessorCount, commit: currentCommit())
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try? FileManager.default.createDirectory(atPath: root + "/.bench", withIntermediateDirectories: true)
if let data = try? encoder.encode(output) {
    _ = FileManager.default.createFile(atPath: root + "/.bench/latest.json", contents: data)
    print("wrote .bench/latest.json")
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
