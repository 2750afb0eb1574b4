import Foundation
import Testing
import TestSupport
@testable import BaohaoCore
import BaohaoSupport

/// `payments` in bot.json and the provider's token, which never comes from bot.json.
@Suite struct PaymentSettingsTests {
    func load(_ json: String, env: [String: String] = [:]) -> Result<BotConfiguration, ConfigurationError> {
        var environment = env
        environment["BAOHAO_CONFIG"] = writeTemporaryFile(json)
        return Result { () throws(ConfigurationError) -> BotConfiguration in try ConfigurationLoader(environment: ProcessEnvironment(environment)).load() }
    }

    @Test func providerModeTakesItsTokenFromTheEnvironmentOrAFile() throws {
        let fromEnv = try load(#"{"payments": {"mode": "provider", "order_ttl": "2h"}}"#, env: ["BAOHAO_PAYMENT_TOKEN": " 284685063:TEST:abc "]).get()
        #expect(fromEnv.payments.mode == .provider)
        #expect(fromEnv.payments.providerToken?.secret == "284685063:TEST:abc")
        #expect(fromEnv.payments.orderTTLSeconds == 7200)
        #expect("\(fromEnv.payments.providerToken!)" == "[REDACTED]" && !"\(fromEnv.payments)".contains("abc"))
        let file = writeTemporaryFile("350862534:LIVE:xyz\n")
        let fromFile = try load(#"{"payment_token_file": "\#(file)", "payments": {"mode": "provider", "order_ttl": 600}}"#).get()
        #expect(fromFile.payments.providerToken?.secret == "350862534:LIVE:xyz")
        #expect(fromFile.payments.orderTTLSeconds == 600)
    }

    @Test func badPaymentSettingsNameWhatIsWrong() {
        func problems(_ json: String, env: [String: String] = [:]) -> [String] {
            guard case .failure(let error) = load(json, env: env) else { return [] }
            return error.problems.map { "\($0.key): \($0.reason)" }
        }
        #expect(problems(#"{"payments": {"mode": "provider"}}"#) == ["payments.mode: provider mode needs the provider's token: set BAOHAO_PAYMENT_TOKEN or payment_token_file"])
        #expect(problems(#"{"payments": {"mode": "provider", "provider_token": "1:TEST:x"}}"#, env: ["BAOHAO_PAYMENT_TOKEN": "1:TEST:x"])
            == ["payments.provider_token: the payment token never lives in bot.json: set BAOHAO_PAYMENT_TOKEN or payment_token_file"])
        #expect(problems(#"{"payments": {"mode": "cash"}}"#) == ["payments.mode: 'cash' is not one of off, provider, stars"])
        #expect(problems(#"{"payments": {"order_ttl": "soon"}}"#).first?.hasPrefix("payments.order_ttl: expected seconds or a duration") == true)
        #expect(problems(#"{"payments": {"order_ttl": "10s"}}"#) == ["payments.order_ttl: 10 s is out of range 60...2592000 s"])
        // Stars need no token.
        #expect(problems(#"{"payments": {"mode": "stars"}}"#).isEmpty)
    }
}
