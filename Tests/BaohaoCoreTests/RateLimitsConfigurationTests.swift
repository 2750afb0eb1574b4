import Testing
import TestSupport
@testable import BaohaoCore

/// `rate_limits.enabled: false` is only accepted against a Bot API on this machine.
@Suite struct RateLimitsConfigurationTests {
    private func load(_ json: String, env: [String: String] = [:]) -> Result<BotConfiguration, ConfigurationError> {
        var environment = env
        environment["BAOHAO_CONFIG"] = writeTemporaryFile(json)
        do throws(ConfigurationError) {
            return .success(try ConfigurationLoader(environment: ProcessEnvironment(environment)).load())
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        "http://127.0.0.1:8081", "http://127.0.0.1", "http://127.5.6.7:9/api", "https://localhost:8443/", "http://LOCALHOST",
        "http://[::1]:8081", "http://[0:0:0:0:0:0:0:1]", "http://[::ffff:127.0.0.1]:80", "http://user@127.0.0.1:81",
    ])
    func disablingTheLimitsIsAcceptedAgainstALoopbackAPI(url: String) throws {
        let config = try load(#"{"rate_limits": {"enabled": false}, "api_base_url": "\#(url)"}"#).get()
        #expect(!config.rateLimits.enabled)
    }

    @Test func theBenchmarksConfigurationIsAccepted() throws {
        // As Sources/BaohaoBench/EndToEndBench.swift writes it, with the double's address in the environment.
        let config = try load(
            #"{"rate_limits": {"enabled": false}, "poll_timeout_seconds": 5, "log_level": "warning"}"#,
            env: ["BAOHAO_API_BASE": "http://127.0.0.1:40123"]).get()
        #expect(!config.rateLimits.enabled)
        #expect(config.apiBaseURL == "http://127.0.0.1:40123")
    }

    @Test(arguments: [
        (#"{"rate_limits": {"enabled": false}}"#, [String: String]()),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "https://api.telegram.org"}"#, [:]),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://10.0.0.5:8081"}"#, [:]),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://127.0.0.1.example.com"}"#, [:]),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://localhost.example.com"}"#, [:]),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://127.0.0.1@api.telegram.org"}"#, [:]),
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://[::2]:8081"}"#, [:]),
        // The file names a local API, the environment sends it to Telegram.
        (#"{"rate_limits": {"enabled": false}, "api_base_url": "http://127.0.0.1:8081"}"#, ["BAOHAO_API_BASE": "https://api.telegram.org"]),
    ])
    func disablingTheLimitsIsRefusedAgainstAnyOtherAPI(json: String, env: [String: String]) {
        guard case .failure(let error) = load(json, env: env) else {
            Issue.record("accepted: \(json) \(env)")
            return
        }
        #expect(error.problems.count == 1)
        let problem = error.problems.first
        #expect(problem?.key == "rate_limits.enabled")
        #expect(problem?.source.hasSuffix(".json") == true, "the file that turned them off")
        #expect(problem?.reason.contains("loopback api_base_url") == true, "\(error)")
        #expect(problem?.reason.contains("429") == true, "says why: \(error)")
    }

    @Test func theLimitsOnAreAcceptedAnywhere() throws {
        let config = try load(#"{"rate_limits": {"enabled": true}, "api_base_url": "https://api.telegram.org"}"#).get()
        #expect(config.rateLimits.enabled)
    }

    @Test func loopbackHostsAreReadFromTheURLItself() {
        #expect(LoopbackURL.host(of: "http://user:pw@[::1]:80/x") == "::1")
        #expect(LoopbackURL.host(of: "https://127.0.0.1:8443/bot") == "127.0.0.1")
        #expect(LoopbackURL.host(of: "http://localhost") == "localhost")
        #expect(LoopbackURL.host(of: "http://[::1") == nil)
        #expect(LoopbackURL.host(of: "127.0.0.1") == nil, "no scheme")
        #expect(!LoopbackURL.isLoopback("http://127.0.0.256"))
        #expect(!LoopbackURL.isLoopback("http://127.0.0"))
        #expect(!LoopbackURL.isLoopback("http://128.0.0.1"))
        #expect(!LoopbackURL.isLoopback("http://[::1]x"))
        #expect(!LoopbackURL.isLoopback("http://[1::1]"))
        #expect(!LoopbackURL.isLoopback("http://[::ffff:10.0.0.1]"))
        #expect(LoopbackURL.isLoopback("http://[0::0:1]:1"))
    }
}
