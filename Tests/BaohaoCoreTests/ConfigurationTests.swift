import Foundation
import Testing
import TestSupport
import Understanding
@testable import BaohaoCore
import BaohaoSupport

@Suite struct ConfigurationTests {
    private func load(_ json: String? = nil, env: [String: String] = [:], db: String? = nil) throws(ConfigurationError) -> BotConfiguration {
        let path = json.map { writeTemporaryFile($0) } ?? "/nonexistent/never-read.json"
        var environment = env
        if json != nil { environment["BAOHAO_CONFIG"] = path }
        return try ConfigurationLoader(environment: ProcessEnvironment(environment)).load(databasePath: db)
    }

    private func problems(_ json: String? = nil, env: [String: String] = [:]) -> [ConfigurationProblem] {
        do {
            _ = try load(json, env: env)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func defaultsNeedNoFile() throws {
        let config = try ConfigurationLoader(environment: ProcessEnvironment()).load(configPath: nil)
        #expect(config == {
            var expected = BotConfiguration()
            // The repository's Config/bot.json, if the test runs at the root, holds the defaults too.
            expected.token = nil
            return expected
        }())
    }

    /// Relative paths of the shipped files that do not exist from the current directory are
    /// looked for under the installation directory (an installed binary run from anywhere);
    /// found here, or found nowhere, they stay as written; the database path never moves.
    @Test func shippedFilesNotFoundHereAreLookedForInTheInstallationDirectory() throws {
        let root = makeTemporaryDirectory("installed")
        for file in ["Shipped/Intents/regression.jsonl", "Shipped/Config/carriers.json", "Shipped/bot.sqlite", "Intents/regression.jsonl"] {
            try FileManager.default.createDirectory(atPath: root + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: root + "/" + file))
        }
        let config = writeTemporaryFile(#"{"intents_dir": "Shipped/Intents", "carriers_file": "Shipped/Config/carriers.json", "regression_set_file": "Nowhere/regression.jsonl", "database_path": "Shipped/bot.sqlite"}"#)
        let installed = try ConfigurationLoader(environment: ProcessEnvironment(["BAOHAO_CONFIG": config]), installationDirectory: root).load()
        #expect(installed.intentsDirectory == root + "/Shipped/Intents")
        #expect(installed.carriersFile == root + "/Shipped/Config/carriers.json")
        #expect(installed.regressionSetFile == "Nowhere/regression.jsonl", "found nowhere: named as written")
        #expect(installed.databasePath == "Shipped/bot.sqlite")
        // The tests run at the repository's root, where Intents/ is: the current directory wins.
        let here = try ConfigurationLoader(environment: ProcessEnvironment(["BAOHAO_CONFIG": writeTemporaryFile("{}")]), installationDirectory: root).load()
        #expect(here.regressionSetFile == "Intents/regression.jsonl")
        #expect(try load("{}").intentsDirectory == "Intents", "no installation directory: as written")
    }

    @Test func theShippedBotJSONIsValidAndHoldsTheDefaults() throws {
        let shipped = repositoryRoot + "/Config/bot.json"
        let config = try ConfigurationLoader(environment: ProcessEnvironment()).load(configPath: shipped)
        #expect(config == BotConfiguration())
    }

    @Test func readsEveryKey() throws {
        let config = try load("""
            {"api_base_url": "http://127.0.0.1:8081/", "database_path": "/var/lib/baohao/db.sqlite",
             "poll_timeout_seconds": 30, "instance_wait_seconds": 0, "operators": [11, 22], "operator_chat_id": -100123,
             "log_level": "debug", "default_language": "zh-Hant", "intents_dir": "I", "carriers_file": "c.json",
             "payment_link_template": "https://pay/{ref}?x=1",
             "understanding": {"confidence_threshold": 0.5, "clarify_margin": 0.1},
             "alerts": {"check_interval_seconds": 30, "quiet_hours": {"start": "23:30", "end": "07:15"}, "digest_time": "08:00"},
             "rate_limits": {"per_chat_per_second": 0.5, "global_per_second": 25, "per_group_per_minute": 10},
             "delivery": {"reply_ttl_seconds": 7200, "other_ttl_seconds": 43200}}
            """)
        #expect(config.apiBaseURL == "http://127.0.0.1:8081")
        #expect(config.databasePath == "/var/lib/baohao/db.sqlite")
        #expect(config.pollTimeoutSeconds == 30)
        #expect(config.instanceWaitSeconds == 0)
        #expect(config.operators == [11, 22])
        #expect(config.operatorChatID == -100123)
        #expect(config.logLevel == .debug)
        #expect(config.defaultLanguage == .zhHant)
        #expect(config.intentsDirectory == "I")
        #expect(config.carriersFile == "c.json")
        #expect(config.paymentLinkTemplate == "https://pay/{ref}?x=1")
        #expect(config.understanding.confidenceThreshold == 0.5)
        #expect(config.understanding.clarifyMargin == 0.1)
        #expect(config.alerts.checkIntervalSeconds == 30)
        #expect(config.alerts.quietHoursStartMinute == 23 * 60 + 30)
        #expect(config.alerts.quietHoursEndMinute == 7 * 60 + 15)
        #expect(config.alerts.digestMinute == 8 * 60)
        #expect(config.rateLimits.perChatPerSecond == 0.5)
        #expect(config.rateLimits.globalPerSecond == 25)
        #expect(config.rateLimits.perGroupPerMinute == 10)
        #expect(config.delivery.replyTTLSeconds == 7200)
        #expect(config.delivery.otherTTLSeconds == 43200)
    }

    @Test func environmentOverridesTheFileAndTheCommandLineOverridesBoth() throws {
        let config = try load(
            #"{"database_path": "file.sqlite", "log_level": "error", "operators": [1]}"#,
            env: ["BAOHAO_DB": "env.sqlite", "BAOHAO_LOG_LEVEL": "WARNING", "BAOHAO_OPERATORS": "5, 6",
                  "BAOHAO_OPERATOR_CHAT": "-42", "BAOHAO_API_BASE": "https://botapi.local", "BOT_TOKEN": "123:secret"])
        #expect(config.databasePath == "env.sqlite")
        #expect(config.logLevel == .warning)
        #expect(config.operators == [5, 6])
        #expect(config.operatorChatID == -42)
        #expect(config.apiBaseURL == "https://botapi.local")
        #expect(config.token?.secret == "123:secret")
        #expect(try load(env: ["BAOHAO_DB": "env.sqlite"], db: "flag.sqlite").databasePath == "flag.sqlite")
    }

    @Test func readsTheTokenFromTheNamedFileOnlyWithoutBOT_TOKEN() throws {
        let tokenPath = writeTemporaryFile("  777:from-file_ok\n", name: "token")
        let fromFile = try load(#"{"token_file": "\#(tokenPath)"}"#)
        #expect(fromFile.token?.secret == "777:from-file_ok")
        let fromEnv = try load(#"{"token_file": "\#(tokenPath)"}"#, env: ["BOT_TOKEN": "1:env"])
        #expect(fromEnv.token?.secret == "1:env")
    }

    @Test func theTokenNeverPrints() throws {
        let token = try #require(BotToken("123:secret"))
        #expect("\(token)" == "[REDACTED]")
        #expect(String(reflecting: token) == "[REDACTED]")
        var dumped = ""
        dump(token, to: &dumped)
        #expect(!dumped.contains("secret"))
        var config = BotConfiguration()
        config.token = token
        #expect(!"\(config)".contains("secret"))
    }

    @Test(arguments: [
        (#"{"poll_timeout_seconds": 0}"#, "poll_timeout_seconds", "0 is out of range 1...50"),
        (#"{"poll_timeout_seconds": "50"}"#, "poll_timeout_seconds", "expected an integer, found a string"),
        (#"{"instance_wait_seconds": 301}"#, "instance_wait_seconds", "301 is out of range 0...300"),
        (#"{"api_base_url": "ftp://x"}"#, "api_base_url", "is not an http(s) base URL"),
        (#"{"operators": [1, -2]}"#, "operators[1]", "expected a positive integer user id"),
        (#"{"log_level": "loud"}"#, "log_level", "'loud' is not one of debug, info, warning, error"),
        (#"{"default_language": "fr"}"#, "default_language", "'fr' is not one of zh-Hans, zh-Hant, en"),
        (#"{"alerts": {"quiet_hours": {"start": "25:00"}}}"#, "alerts.quiet_hours.start", "is not a time of day"),
        (#"{"alerts": {"quiet_hours": {"begin": "22:00"}}}"#, "alerts.quiet_hours.begin", "unknown key"),
        (#"{"understanding": {"confidence_threshold": 1.5}}"#, "understanding.confidence_threshold", "out of range 0...1"),
        (#"{"rate_limits": {"global_per_second": 0}}"#, "rate_limits.global_per_second", "must be greater than 0"),
        (#"{"delivery": {"reply_ttl_seconds": 10}}"#, "delivery.reply_ttl_seconds", "10 is out of range 60...604800"),
        (#"{"poll_timout_seconds": 5}"#, "poll_timout_seconds", "unknown key"),
        (#"{"payment_link_template": "https://pay"}"#, "payment_link_template", "must contain {ref}"),
        (#"{"database_path": ""}"#, "database_path", "must not be empty"),
        (#"{"alerts": []}"#, "alerts", "expected an object, found an array"),
        (#"{"operator_chat_id": 0}"#, "operator_chat_id", "non-zero integer chat id"),
    ])
    func fileProblemsNameTheKeyAndReason(json: String, key: String, reason: String) {
        let found = problems(json)
        #expect(found.count == 1)
        #expect(found.first?.key == key)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
        #expect(found.first?.source.hasSuffix("bot.json") == true)
    }

    /// `metrics.listen` is off by default; a lone port means loopback; an address other
    /// machines can reach needs `metrics.allow_remote: true`.
    @Test func metricsListenIsOffUnlessSetAndLoopbackUnlessRemoteIsAllowed() throws {
        #expect(try load("{}").metrics == MetricsSettings())
        #expect(BotConfiguration().metrics.listen == nil)
        #expect(try load(#"{"metrics": {"listen": "9464"}}"#).metrics.listen == .loopback(port: 9464))
        #expect(try load(#"{"metrics": {"listen": 9100}}"#).metrics.listen == .loopback(port: 9100))
        #expect(try load(#"{"metrics": {"listen": "127.0.0.1:9464"}}"#).metrics.listen?.description == "127.0.0.1:9464")
        #expect(try load(#"{"metrics": {"listen": "[::1]:9464"}}"#).metrics.listen?.description == "[::1]:9464")
        #expect(try load(#"{"metrics": {"listen": null}}"#).metrics.listen == nil)
        let remote = try load(#"{"metrics": {"listen": "0.0.0.0:9464", "allow_remote": true}}"#).metrics
        #expect(remote.listen?.description == "0.0.0.0:9464" && remote.allowRemote)
    }

    @Test(arguments: [
        (#"{"metrics": {"listen": "0.0.0.0:9464"}}"#, "metrics.listen",
         "'0.0.0.0:9464' is not a loopback address: /healthz and /metrics have no authentication, so other machines may reach them only with metrics.allow_remote: true"),
        (#"{"metrics": {"listen": "10.1.2.3:9464", "allow_remote": false}}"#, "metrics.listen", "'10.1.2.3:9464' is not a loopback address"),
        (#"{"metrics": {"listen": "[::]:9464"}}"#, "metrics.listen", "'[::]:9464' is not a loopback address"),
        (#"{"metrics": {"listen": "localhost"}}"#, "metrics.listen", "'localhost' is not an address: no port"),
        (#"{"metrics": {"listen": "127.0.0.1:70000"}}"#, "metrics.listen", "'127.0.0.1:70000': port 70000 is out of range 1...65535"),
        (#"{"metrics": {"listen": 0}}"#, "metrics.listen", "'0': port 0 is out of range 1...65535"),
        (#"{"metrics": {"listen": "prometheus.local:9464"}}"#, "metrics.listen", "'prometheus.local' is not a numeric IP address"),
        (#"{"metrics": {"listen": ""}}"#, "metrics.listen", "'' is not an address: no port"),
        (#"{"metrics": {"listen": true}}"#, "metrics.listen", "expected an address such as \"127.0.0.1:9464\" or a port, found"),
        (#"{"metrics": {"allow_remote": "yes"}}"#, "metrics.allow_remote", "expected true or false"),
        (#"{"metrics": {"port": 9464}}"#, "metrics.port", "unknown key (known keys here: allow_remote, listen)"),
    ])
    func metricsProblemsNameTheKeyAndTheValue(json: String, key: String, reason: String) {
        let found = problems(json)
        #expect(found.count == 1)
        #expect(found.first?.key == key)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
    }

    @Test func invalidJSONNamesTheFile() {
        let found = problems(#"{"log_level": }"#)
        #expect(found.count == 1)
        #expect(found.first?.reason.hasPrefix("not valid JSON") == true)
    }

    @Test func aMissingNamedFileIsAnError() {
        let found = (try? ConfigurationLoader(environment: ProcessEnvironment(["BAOHAO_CONFIG": "/nope/bot.json"])).load()) == nil
        #expect(found)
    }

    @Test(arguments: [
        ("BOT_TOKEN", "not a token", "not a bot token"),
        ("BAOHAO_OPERATORS", "1,abc", "'abc' is not a Telegram user id"),
        ("BAOHAO_OPERATOR_CHAT", "group", "is not a Telegram chat id"),
        ("BAOHAO_LOG_LEVEL", "verbose", "'verbose' is not one of"),
        ("BAOHAO_API_BASE", "api.telegram.org", "is not an http(s) base URL"),
    ])
    func environmentProblemsNameTheVariable(name: String, value: String, reason: String) {
        let found = problems(env: [name: value])
        #expect(found.count == 1)
        #expect(found.first?.source == "environment")
        #expect(found.first?.key == name)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
        if name == "BOT_TOKEN" { #expect(!"\(found)".contains(value)) }
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = problems(#"{"log_level": "x", "poll_timeout_seconds": 99}"#, env: ["BAOHAO_OPERATORS": "x"])
        #expect(found.map(\.key).sorted() == ["BAOHAO_OPERATORS", "log_level", "poll_timeout_seconds"])
    }
}
