import Testing
@testable import BaohaoSupport

@Suite struct LoggerTests {
    @Test func writesOneKeyValueLinePerEventWithUTCTimestamp() {
        let sink = CapturingLogSink()
        let logger = Logger(level: .info, sink: sink, now: { 1_795_307_462.125 })
        logger.info("update.handled", ["chat": .id(42), "text": "hello world", "ok": true])
        #expect(sink.lines == [#"2026-11-22T00:31:02.125Z level=info event=update.handled chat=42 text="hello world" ok=true"#])
    }

    @Test func dropsEventsBelowTheLevel() {
        let sink = CapturingLogSink()
        let logger = Logger(level: .warning, sink: sink, now: { 0 })
        logger.debug("a")
        logger.info("b")
        logger.warning("c")
        logger.error("d")
        #expect(sink.lines == ["1970-01-01T00:00:00.000Z level=warning event=c", "1970-01-01T00:00:00.000Z level=error event=d"])
    }

    @Test func redactsTokenAndPhonesInEveryStringButKeepsIds() {
        let sink = CapturingLogSink()
        let logger = Logger(level: .debug, sink: sink, redactor: Redactor(secrets: ["123:secret"]), now: { 0 })
        logger.error("http failed for https://x/bot123:secret/getMe", ["error": "bot123:secret refused", "phone": "+1 (415) 555-0134", "chat": .id(1_234_567_890)])
        let line = sink.lines.first ?? ""
        #expect(!line.contains("secret"))
        #expect(!line.contains("555"))
        #expect(line.contains("phone=***0134"))
        #expect(line.contains("chat=1234567890"))
    }

    @Test func keepsAnEventOnOneLine() {
        let sink = CapturingLogSink()
        Logger(sink: sink, now: { 0 }).info("x", ["text": "a\nb\"c\\d\u{2028}e=f"])
        #expect(sink.lines == [#"1970-01-01T00:00:00.000Z level=info event=x text="a\nb\"c\\d\u{2028}e=f""#])
    }

    @Test func formatsTimestampsAcrossEras() {
        #expect(UTCTimestamp.format(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00.000Z")
        #expect(UTCTimestamp.format(secondsSinceEpoch: -1) == "1969-12-31T23:59:59.000Z")
        #expect(UTCTimestamp.format(millisecondsSinceEpoch: 1_795_307_462_007) == "2026-11-22T00:31:02.007Z")
        #expect(UTCTimestamp.format(millisecondsSinceEpoch: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(UTCTimestamp.format(millisecondsSinceEpoch: 253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(millisecondsSinceEpoch: -62_135_596_800_000) == "0001-01-01T00:00:00.000Z")
        #expect(CivilCalendar.daysSinceEpoch(year: 2026, month: 12, day: 5) == 20_792)
        let back = CivilCalendar.date(fromDaysSinceEpoch: 20_792)
        #expect(back.year == 2026 && back.month == 12 && back.day == 5)
    }
}
