import Storage
import BaohaoCore
import Understanding
import BaohaoSupport

/// `baohao check-config`: prints the effective configuration with the token redacted.
enum CheckConfigCommand {
    static func run(_ context: CommandContext) throws -> Int32 {
        let config = try context.configuration()
        context.io.out(render(config))
        do {
            let catalogue = try CarrierCatalogueLoader.load(path: config.carriersFile)
            context.io.out("carriers: \(catalogue.carriers.count) in \(config.carriersFile) (\(catalogue.ids.joined(separator: ", ")))")
            let questions = try RegressionGate.loadRegressionSet(path: config.regressionSetFile)
            context.io.out("regression set: \(questions.count) questions in \(config.regressionSetFile)")
        } catch {
            context.io.err("baohao: \(error)")
            return ExitCode.config
        }
        context.io.out("configuration is valid")
        return ExitCode.success
    }

    static func render(_ c: BotConfiguration) -> String {
        func hhmm(_ minutes: Int) -> String {
            let h = minutes / 60, m = minutes % 60
            return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
        }
        let token = c.token.map { "\($0) (bot id \($0.botID))" } ?? "not set (console mode)"
        let rows: [(String, String)] = [
            ("api_base_url", c.apiBaseURL),
            ("token", token),
            ("token_file", c.tokenFile ?? "none"),
            ("database_path", c.database.description),
            ("poll_timeout_seconds", String(c.pollTimeoutSeconds)),
            ("instance_wait_seconds", String(c.instanceWaitSeconds)),
            ("operators", c.operators.isEmpty ? "none" : c.operators.map(String.init).joined(separator: ",")),
            ("operator_chat_id", c.operatorChatID.map(String.init) ?? "none"),
            ("log_level", c.logLevel.description),
            ("default_language", c.defaultLanguage.rawValue),
            ("intents_dir", c.intentsDirectory),
            ("carriers_file", c.carriersFile),
            ("regression_set_file", c.regressionSetFile),
            ("bot_username", c.botUsername),
            ("payment_link_template", c.paymentLinkTemplate),
            ("understanding.confidence_threshold", String(c.understanding.confidenceThreshold)),
            ("understanding.clarify_margin", String(c.understanding.clarifyMargin)),
            ("alerts.check_interval_seconds", String(c.alerts.checkIntervalSeconds)),
            ("alerts.quiet_hours", hhmm(c.alerts.quietHoursStartMinute) + "-" + hhmm(c.alerts.quietHoursEndMinute)),
            ("alerts.digest_time", hhmm(c.alerts.digestMinute)),
            ("rate_limits.enabled", String(c.rateLimits.enabled)),
            ("rate_limits.per_chat_per_second", String(c.rateLimits.perChatPerSecond)),
            ("rate_limits.global_per_second", String(c.rateLimits.globalPerSecond)),
            ("rate_limits.per_group_per_minute", String(c.rateLimits.perGroupPerMinute)),
            ("metrics.listen", c.metrics.listen.map { "\($0) (GET /healthz and /metrics; \($0.isLoopback ? "loopback only" : "reachable from other machines"))" } ?? "off"),
            ("metrics.allow_remote", String(c.metrics.allowRemote)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + " = " + $0.1 }.joined(separator: "\n")
    }
}
