import BaohaoCore
import Testing
import Understanding
@testable import Telegram

/// The derived settings take every value from the configuration, the one place defaults live.
@Suite struct SettingsFromConfigurationTests {
    /// A configuration with every value the derived settings read changed from its default.
    static let changed: BotConfiguration = {
        var c = BotConfiguration()
        c.pollTimeoutSeconds = 7
        c.operators = [5, 6]
        c.operatorChatID = -9
        c.paymentLinkTemplate = "https://pay.test/{ref}"
        c.defaultLanguage = .en
        c.regressionSetFile = "questions.jsonl"
        c.flowTimeoutSeconds = 90
        c.alerts.checkIntervalSeconds = 15
        c.alerts.quietHoursStartMinute = 21 * 60
        c.alerts.quietHoursEndMinute = 7 * 60
        c.alerts.digestMinute = 10 * 60
        c.rateLimits.perChatPerSecond = 2
        c.rateLimits.globalPerSecond = 0.5
        c.rateLimits.perGroupPerMinute = 12
        c.rateLimits.perChatBurst = 4
        c.rateLimits.perGroupBurst = 2
        c.telegram.senderClients = 3
        c.telegram.drainSeconds = 4
        c.telegram.watchdogMarginSeconds = 5
        c.telegram.maximumBackoffSeconds = 6
        c.telegram.faqCheckIntervalSeconds = 8
        return c
    }()

    @Test func theBotsSettings() {
        let s = TelegramBot.Settings(configuration: Self.changed)
        #expect(s.pollTimeoutSeconds == 7)
        #expect(s.senderClients == 3)
        #expect(s.drainSeconds == 4)
        #expect(s.watchdogMarginSeconds == 5)
        #expect(s.maximumBackoffSeconds == 6)
        #expect(s.alertCheckIntervalSeconds == 15)
        #expect(s.faqCheckIntervalSeconds == 8)
        #expect(s.limits == SendScheduler.Limits(configuration: Self.changed))
    }

    @Test func theRateLimits() {
        let limits = SendScheduler.Limits(configuration: Self.changed)
        // The overall burst is one second's worth, and never below one message.
        #expect(
            limits == SendScheduler.Limits(globalPerSecond: 0.5, globalBurst: 1, perChatPerSecond: 2, perChatBurst: 4, perGroupPerMinute: 12, perGroupBurst: 2))
        var disabled = Self.changed
        disabled.rateLimits.enabled = false
        #expect(SendScheduler.Limits(configuration: disabled) == .off)
        // The shipped defaults: 30/s overall, 1/s per chat after a burst of 3, 20/min per group.
        #expect(
            SendScheduler.Limits(configuration: BotConfiguration())
                == SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1))
    }

    @Test func aGroupBurstLetsThatManyGoAtOnce() {
        var config = Self.changed
        config.rateLimits.globalPerSecond = 30
        var scheduler = SendScheduler(limits: SendScheduler.Limits(configuration: config))
        for _ in 0..<2 {
            #expect(scheduler.delay(for: -100, at: 0) == 0)
            scheduler.record(-100, at: 0)
        }
        #expect(abs(scheduler.delay(for: -100, at: 0) - 5) < 1e-9)  // 12 a minute
    }

    @Test func theAssistantsSettings() {
        let s = AssistantSettings(configuration: Self.changed)
        #expect(s.operators == [5, 6])
        #expect(s.operatorChatID == -9)
        #expect(s.paymentLinkTemplate == "https://pay.test/{ref}")
        #expect(s.defaultLanguage == .en)
        #expect(s.flowTimeoutSeconds == 90)
        #expect(s.quietStartMinute == 21 * 60)
        #expect(s.quietEndMinute == 7 * 60)
        #expect(s.digestMinute == 10 * 60)
        #expect(s.regressionSetFile == "questions.jsonl")
    }
}
