import FoundationEssentials
import Understanding
import BaohaoSupport

/// Builds the effective configuration: defaults, then `bot.json`, then the environment,
/// then command-line overrides. Every problem is reported with its source and key.
public struct ConfigurationLoader: Sendable {
    /// The default location of `bot.json`, used when it exists and nothing else is named.
    public static let defaultConfigPath = "Config/bot.json"

    public var environment: ProcessEnvironment
    /// Where this `baohao` is installed (`/opt/baohao` for `/opt/baohao/bin/baohao`), nil when
    /// unknown. Relative paths of the files the bot ships with (the default `Config/bot.json`,
    /// `intents_dir`, `carriers_file`, `regression_set_file`) that do not exist from the
    /// current directory are looked for there, so an installed binary finds its data when it
    /// is run from anywhere. The database path is never looked for there: data stays where
    /// the operator points.
    public var installationDirectory: String?

    public init(environment: ProcessEnvironment, installationDirectory: String? = nil) {
        self.environment = environment
        self.installationDirectory = installationDirectory
    }

    /// The effective configuration.
    /// - Parameters:
    ///   - configPath: `--config`; wins over `BAOHAO_CONFIG`. A named file must exist.
    ///   - databasePath: `--db`; wins over `BAOHAO_DB` and the file.
    public func load(configPath: String? = nil, databasePath: String? = nil) throws(ConfigurationError) -> BotConfiguration {
        var config = BotConfiguration()
        var problems: [ConfigurationProblem] = []

        let namedPath = configPath ?? environment["BAOHAO_CONFIG"]
        let path = namedPath ?? locate(Self.defaultConfigPath)
        if namedPath != nil || FileManager.default.fileExists(atPath: path) {
            readFile(path, into: &config, problems: &problems)
        }
        applyEnvironment(to: &config, problems: &problems)
        // Only the file can turn the limits off; only a Bot API on this machine may be sent to without them.
        if !config.rateLimits.enabled && !LoopbackURL.isLoopback(config.apiBaseURL) {
            problems.append(.init(
                source: path, key: "rate_limits.enabled",
                reason: "false is only allowed when the Bot API is on this machine (a loopback api_base_url: 127.0.0.0/8, ::1 or localhost, such as a Bot API double), "
                    + "not \(config.apiBaseURL): without the limits Telegram answers bursts with 429 and may restrict the bot"))
        }
        if let databasePath {
            if databasePath.isEmpty {
                problems.append(.init(source: "command line", key: "--db", reason: "must not be empty"))
            } else {
                config.databasePath = databasePath
            }
        }
        readToken(into: &config, problems: &problems)
        readPaymentToken(into: &config, problems: &problems)
        guard problems.isEmpty else { throw ConfigurationError(problems) }
        config.intentsDirectory = locate(config.intentsDirectory)
        config.carriersFile = locate(config.carriersFile)
        config.regressionSetFile = locate(config.regressionSetFile)
        return config
    }

    /// `path` as it is when it is absolute or exists from the current directory; otherwise
    /// the same path under the installation directory, when it exists there.
    func locate(_ path: String) -> String {
        guard let root = installationDirectory, !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        let installed = (root.hasSuffix("/") ? root : root + "/") + path
        return FileManager.default.fileExists(atPath: installed) ? installed : path
    }

    // MARK: - bot.json

    private func readFile(_ path: String, into config: inout BotConfiguration, problems: inout [ConfigurationProblem]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            problems.append(.init(source: path, key: "", reason: "cannot read the file (does it exist?)"))
            return
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(Array(data))
        } catch {
            problems.append(.init(source: path, key: "", reason: "not valid JSON: \(error)"))
            return
        }
        var reader = JSONObjectReader(source: path, path: "", value: root)
        if let v = reader.string("api_base_url") { setBaseURL(v, source: path, key: "api_base_url", config: &config, problems: &reader.problems) }
        if let v = reader.string("token_file") { config.tokenFile = v }
        if let v = reader.string("payment_token_file") { config.payments.tokenFile = v }
        if let v = reader.string("database_path") {
            if v.isEmpty { reader.fail("database_path", "must not be empty") } else { config.databasePath = v }
        }
        if let v = reader.integer("poll_timeout_seconds", in: 1...50) { config.pollTimeoutSeconds = v }
        if let v = reader.integer("instance_wait_seconds", in: 0...300) { config.instanceWaitSeconds = v }
        if let v = reader.integer("lease_ttl_seconds", in: 2...300) { config.leaseTTLSeconds = v }
        if let v = reader.integerArray("operators") { config.operators = v }
        if let v = reader.int64OrNull("operator_chat_id") { config.operatorChatID = v }
        if let v = reader.string("log_level") {
            if let level = LogLevel(name: v) { config.logLevel = level } else { reader.fail("log_level", "'\(v)' is not one of debug, info, warning, error") }
        }
        if let v = reader.string("default_language") {
            if let language = Language(rawValue: v) { config.defaultLanguage = language } else { reader.fail("default_language", "'\(v)' is not one of zh-Hans, zh-Hant, en") }
        }
        if let v = reader.string("intents_dir") { config.intentsDirectory = v }
        if let v = reader.string("carriers_file") { config.carriersFile = v }
        if let v = reader.string("regression_set_file") { config.regressionSetFile = v }
        if let v = reader.string("bot_username") {
            let name = v.hasPrefix("@") ? String(v.dropFirst()) : v
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_".utf8)
            if (5...32).contains(name.utf8.count), name.utf8.allSatisfy(allowed.contains) { config.botUsername = name } else {
                reader.fail("bot_username", "'\(v)' is not a Telegram username (5 to 32 letters, digits and _)")
            }
        }
        if let v = reader.string("payment_link_template") {
            if v.contains("{ref}") { config.paymentLinkTemplate = v } else { reader.fail("payment_link_template", "must contain {ref}, where the order reference goes") }
        }
        if var sub = reader.object("understanding") {
            if let v = sub.fraction("confidence_threshold") { config.understanding.confidenceThreshold = v }
            if let v = sub.fraction("clarify_margin") { config.understanding.clarifyMargin = v }
            reader.absorb(sub)
        }
        if var sub = reader.object("alerts") {
            if let v = sub.integer("check_interval_seconds", in: 5...3600) { config.alerts.checkIntervalSeconds = v }
            if let v = sub.clockTime("digest_time") { config.alerts.digestMinute = v }
            if var quiet = sub.object("quiet_hours") {
                if let v = quiet.clockTime("start") { config.alerts.quietHoursStartMinute = v }
                if let v = quiet.clockTime("end") { config.alerts.quietHoursEndMinute = v }
                sub.absorb(quiet)
            }
            reader.absorb(sub)
        }
        if var sub = reader.object("rate_limits") {
            if let v = sub.bool("enabled") { config.rateLimits.enabled = v }
            if let v = sub.positiveNumber("per_chat_per_second") { config.rateLimits.perChatPerSecond = v }
            if let v = sub.positiveNumber("global_per_second") { config.rateLimits.globalPerSecond = v }
            if let v = sub.integer("per_group_per_minute", in: 1...10_000) { config.rateLimits.perGroupPerMinute = v }
            reader.absorb(sub)
        }
        if var sub = reader.object("delivery") {
            if let v = sub.integer("reply_ttl_seconds", in: 60...(7 * 86_400)) { config.delivery.replyTTLSeconds = v }
            if let v = sub.integer("other_ttl_seconds", in: 60...(7 * 86_400)) { config.delivery.otherTTLSeconds = v }
            reader.absorb(sub)
        }
        if var sub = reader.object("payments") {
            if let v = sub.string("mode") {
                if let mode = PaymentSettings.Mode(rawValue: v) { config.payments.mode = mode } else { sub.fail("mode", "'\(v)' is not one of off, provider, stars") }
            }
            if sub.has("provider_token") {
                sub.fail("provider_token", "the payment token never lives in bot.json: set BAOHAO_PAYMENT_TOKEN or payment_token_file")
            }
            if let v = sub.duration("order_ttl", in: 60...(30 * 86_400)) { config.payments.orderTTLSeconds = v }
            reader.absorb(sub)
        }
        if var sub = reader.object("tickets") {
            if let v = sub.integer("flag_after_minutes", in: 1...1440) { config.tickets.flagAfterMinutes = v }
            if let v = sub.integer("escalate_after_minutes", in: 1...10_080) { config.tickets.escalateAfterMinutes = v }
            if let v = sub.integer("reopen_within_hours", in: 0...720) { config.tickets.reopenWithinHours = v }
            if config.tickets.escalateAfterMinutes < config.tickets.flagAfterMinutes {
                sub.fail("escalate_after_minutes", "must not be shorter than flag_after_minutes (\(config.tickets.flagAfterMinutes))")
            }
            reader.absorb(sub)
        }
        if var sub = reader.object("metrics") {
            let allowRemote = sub.bool("allow_remote")
            // "127.0.0.1:9464", "9464", or the port as a number.
            var listen: String?
            switch sub.takeValue("listen") {
            case nil: break
            case .string(let text)?: listen = text
            case .integer(let port)?: listen = String(port)
            case let other?: sub.fail("listen", "expected an address such as \"127.0.0.1:9464\" or a port, found \(other.typeName)")
            }
            if let text = listen {
                do {
                    let address = try ListenAddress(parsing: text)
                    if address.isLoopback || allowRemote == true { config.metrics.listen = address } else {
                        sub.fail("listen", "'\(text)' is not a loopback address: /healthz and /metrics have no authentication, so other machines may reach them only with metrics.allow_remote: true")
                    }
                } catch {
                    sub.fail("listen", error.description)
                }
            }
            if let allowRemote { config.metrics.allowRemote = allowRemote }
            reader.absorb(sub)
        }
        reader.rejectUnknownKeys()
        problems += reader.problems
    }

    // MARK: - Environment

    private func applyEnvironment(to config: inout BotConfiguration, problems: inout [ConfigurationProblem]) {
        let source = "environment"
        if let v = environment["BAOHAO_DB"] { config.databasePath = v }
        if let v = environment["BAOHAO_API_BASE"] { setBaseURL(v, source: source, key: "BAOHAO_API_BASE", config: &config, problems: &problems) }
        if let v = environment["BAOHAO_OPERATORS"] {
            var ids: [Int64] = []
            for part in v.split(separator: ",", omittingEmptySubsequences: false) {
                let text = String(part).trimmingASCIIWhitespace()
                if let id = Int64(text), id > 0 { ids.append(id) } else {
                    problems.append(.init(source: source, key: "BAOHAO_OPERATORS", reason: "'\(text)' is not a Telegram user id (comma-separated positive integers expected)"))
                }
            }
            config.operators = ids
        }
        if let v = environment["BAOHAO_OPERATOR_CHAT"] {
            if let id = Int64(v.trimmingASCIIWhitespace()), id != 0 { config.operatorChatID = id } else {
                problems.append(.init(source: source, key: "BAOHAO_OPERATOR_CHAT", reason: "'\(v)' is not a Telegram chat id (an integer, negative for groups)"))
            }
        }
        if let v = environment["BAOHAO_LOG_LEVEL"] {
            if let level = LogLevel(name: v) { config.logLevel = level } else {
                problems.append(.init(source: source, key: "BAOHAO_LOG_LEVEL", reason: "'\(v)' is not one of debug, info, warning, error"))
            }
        }
    }

    /// The payment token, from `BAOHAO_PAYMENT_TOKEN` or `payment_token_file`; provider mode needs one.
    private func readPaymentToken(into config: inout BotConfiguration, problems: inout [ConfigurationProblem]) {
        if let raw = environment["BAOHAO_PAYMENT_TOKEN"] {
            if let token = PaymentToken(raw) { config.payments.providerToken = token } else {
                problems.append(.init(source: "environment", key: "BAOHAO_PAYMENT_TOKEN", reason: "not a payment token (empty, or holds spaces)"))
            }
        } else if let file = config.payments.tokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                problems.append(.init(source: file, key: "payment_token_file", reason: "cannot read the payment token file"))
                return
            }
            if let token = PaymentToken(String(decoding: data, as: UTF8.self)) { config.payments.providerToken = token } else {
                problems.append(.init(source: file, key: "payment_token_file", reason: "the file does not hold a payment token"))
            }
        }
        let tokenProblem = problems.contains { $0.key == "BAOHAO_PAYMENT_TOKEN" || $0.key == "payment_token_file" }
        if config.payments.mode == .provider, config.payments.providerToken == nil, !tokenProblem {
            problems.append(
                .init(source: "environment", key: "payments.mode", reason: "provider mode needs the provider's token: set BAOHAO_PAYMENT_TOKEN or payment_token_file"))
        }
    }

    private func readToken(into config: inout BotConfiguration, problems: inout [ConfigurationProblem]) {
        if let raw = environment["BOT_TOKEN"] {
            if let token = BotToken(raw) { config.token = token } else {
                problems.append(.init(source: "environment", key: "BOT_TOKEN", reason: "not a bot token (expected the form 123456:ABC-xyz from @BotFather)"))
            }
        } else if let file = config.tokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                problems.append(.init(source: file, key: "token_file", reason: "cannot read the token file"))
                return
            }
            if let token = BotToken(String(decoding: data, as: UTF8.self)) { config.token = token } else {
                problems.append(.init(source: file, key: "token_file", reason: "the file does not hold a bot token (expected the form 123456:ABC-xyz)"))
            }
        }
    }

    private func setBaseURL(_ value: String, source: String, key: String, config: inout BotConfiguration, problems: inout [ConfigurationProblem]) {
        var url = value.trimmingASCIIWhitespace()
        while url.hasSuffix("/") { url.removeLast() }
        let lower = url.lowercased()
        let schemeEnd = lower.hasPrefix("https://") ? 8 : lower.hasPrefix("http://") ? 7 : 0
        guard schemeEnd > 0, url.count > schemeEnd, !url.contains(" "), !url.contains("?"), !url.contains("#") else {
            problems.append(.init(source: source, key: key, reason: "'\(value)' is not an http(s) base URL such as https://api.telegram.org"))
            return
        }
        config.apiBaseURL = url
    }
}
