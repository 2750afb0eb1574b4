import BotAPIDouble
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The whole bot as a separate process (`baohao run`) against the Bot API double on
/// loopback, rate limits off: messages answered per second, the process's peak resident
/// memory, and the time from process start to its first getUpdates.
enum EndToEndBench {
    struct Figures {
        var messagesPerSecond: Double
        var peakResidentMB: Double
        var startupMilliseconds: Double
    }

    /// Messages injected in one run unless the caller says otherwise.
    static let defaultCount = 20_000

    /// `database` is the bot's `BAOHAO_DB`: nil for a new SQLite file in the run's temporary
    /// directory, or a location given by the caller (a fresh PostgreSQL database's URL).
    /// `prepare` fills the bot's database, given its location, before the bot starts (lines,
    /// a large FAQ). `serverCPUSeconds`, when given, reads the CPU time a database server has
    /// used so far, for BENCH_VERBOSE's figures per message.
    static func run(
        root: String, messages: [String], count: Int = defaultCount, chats: Int = 1_000, database: String? = nil,
        prepare: ((String) throws -> Void)? = nil, serverCPUSeconds: (() -> Double)? = nil
    ) throws -> Figures {
        let binary = root + "/.build/release/baohao"
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw BenchError("build the release binary first: swift build -c release") }
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let directory = NSTemporaryDirectory() + "baohao-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/bot.json"
        try #"{"rate_limits": {"enabled": false}, "poll_timeout_seconds": 5, "log_level": "warning"}"#.write(toFile: config, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["BOT_TOKEN"] = double.token
        environment["BAOHAO_API_BASE"] = double.baseURL
        let location = database ?? directory + "/bench.sqlite"
        environment["BAOHAO_DB"] = location
        try prepare?(location)
        environment["BAOHAO_CONFIG"] = config
        // One message waits already, so the first getUpdates returns at once: the time until
        // it is recorded is the start-up time.
        double.injectMessage(chatID: 999_999, text: "你好")
        let started = ContinuousClock.now
        let pid: pid_t
        if let out = ProcessInfo.processInfo.environment["BENCH_HEAPTRACK"] {
            pid = try spawn("/usr/bin/heaptrack", ["-o", out, binary, "run"], environment: environment)
        } else {
            pid = try spawn(binary, ["run"], environment: environment)
        }
        guard double.wait(timeout: 60, until: { !double.calls("getUpdates").isEmpty }) else {
            kill(pid, SIGKILL)
            throw BenchError("the bot did not start polling within 10 s")
        }
        let startup = started.duration(to: .now)
        if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
            print("  e2e after start-up: resident high-water \(highWaterKB(pid)) kB")
            printLargestMappings(pid)
        }

        // Everything arrives at once; the bot answers as fast as it can.
        let botCPUBefore = cpuSeconds(pid), ownCPUBefore = cpuSeconds(getpid()), serverCPUBefore = serverCPUSeconds?() ?? 0
        let begin = ContinuousClock.now
        for i in 0..<count { double.injectMessage(chatID: Int64(1 + i % chats), text: messages[i % messages.count]) }
        // Checked every millisecond rather than woken by every message: the benchmark's own
        // waiting should not take CPU from the bot it measures.
        var done = false
        while !done && begin.duration(to: .now) < .seconds(120) {
            usleep(1000)
            done = double.sentMessages().count >= count + 1
        }
        let elapsed = begin.duration(to: .now)
        // The process's own high-water mark (VmHWM starts afresh at exec; the rusage of a
        // spawned child would carry this benchmark's own peak from before the exec).
        let peakKB = highWaterKB(pid)
        let botCPU = cpuSeconds(pid) - botCPUBefore, ownCPU = cpuSeconds(getpid()) - ownCPUBefore
        let serverCPU = serverCPUSeconds.map { $0() - serverCPUBefore }
        if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
            let server = serverCPU.map { ", database server \(Int($0 / Double(count) * 1e6)) µs" } ?? ""
            print("  e2e: bot process \(Int(botCPU / Double(count) * 1e6)) µs CPU per message, benchmark and double \(Int(ownCPU / Double(count) * 1e6)) µs\(server) (from the first injected message to the last reply; \(Int(seconds(elapsed) / Double(count) * 1e6)) µs of wall time)")
            if let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) {
                print("  e2e memory now: " + rollup.split(separator: "\n").filter { ["Rss:", "Anonymous:", "Shared_Clean:", "Private_Clean:", "Private_Dirty:"].contains(where: $0.hasPrefix) }.joined(separator: ", "))
            }
            printLargestMappings(pid)
            if ProcessInfo.processInfo.environment["BENCH_MALLOC_STATS"] != nil {
                _ = try? spawn("/usr/bin/gdb", ["-p", "\(pid)", "-batch", "-ex", "call (void)malloc_stats()"], environment: [:])
                sleep(8)
            }
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard done else { throw BenchError("only \(double.sentMessages().count) of \(count) messages were answered within 120 s") }
        return Figures(
            messagesPerSecond: Double(count) / seconds(elapsed), peakResidentMB: Double(peakKB) / 1024,
            startupMilliseconds: seconds(startup) * 1000)
    }

    /// User plus system CPU seconds `pid` has used so far, from /proc.
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmHWM of `pid` in kB, from /proc.
    static func highWaterKB(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.filter(\.isNumber)) ?? 0
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Starts `path` in the current directory (the repository root, where Config/ and Intents/ are).
    /// The largest mappings of `pid` by resident size (BENCH_VERBOSE).
    static func printLargestMappings(_ pid: pid_t) {
        // The largest mappings by resident size.
        if let data = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps")?.readDataToEndOfFile() {
            let smaps = String(decoding: data, as: UTF8.self)
            var sizes: [String: Int] = [:], name = ""
            for line in smaps.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if let first = fields.first, first.contains("-"), fields.count >= 5 {
                    name = (fields.count >= 6 ? String(fields[5]) : "[anon]") + " " + fields[1]
                } else if fields.first == "Rss:", fields.count >= 2, let kb = Int(fields[1]) {
                    sizes[name, default: 0] += kb
                }
            }
            for (mapping, kb) in sizes.sorted(by: { $0.value > $1.value }).prefix(12) { print("    \(kb) kB  \(mapping)") }
        }
    }

    static func spawn(_ path: String, _ arguments: [String], environment: [String: String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(path): error \(result)") }
        return pid
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the end-to-end benchmark `runs` times (`run` makes one run) and returns its two rows,
/// keyed `<key>_msgs_per_s` (budget: at least `minimumRate`) and `<key>_peak_rss_mb` (at most
/// 30 MB), labelled for `engine` (nil: SQLite, the default), and the start-up times.
func endToEndRows(key: String, engine: String?, minimumRate: Double, runs: Int, _ run: () throws -> EndToEndBench.Figures) throws -> (rows: [Row], startup: Sample) {
    var rates: [Double] = [], memory: [Double] = [], startups: [Double] = []
    for _ in 0..<runs {
        let figures = try run()
        rates.append(figures.messagesPerSecond)
        memory.append(figures.peakResidentMB)
        startups.append(figures.startupMilliseconds)
    }
    let rate = Sample(rates), peak = Sample(memory)
    let rateLabel = "messages answered per second, end to end" + (engine.map { " (\($0) on loopback)" } ?? "")
    let memoryLabel = "peak resident memory, end-to-end run" + (engine.map { " (\($0))" } ?? "")
    return ([
        Row(key: key + "_msgs_per_s", label: rateLabel, sample: rate, unit: "/s", budget: "≥ \(Int(minimumRate))", withinBudget: rate.median >= minimumRate),
        Row(key: key + "_peak_rss_mb", label: memoryLabel, sample: peak, unit: "MB", budget: "≤ 30", withinBudget: peak.median <= 30),
    ], Sample(startups))
}
