import BaohaoCore
import TestSupport
import Testing
@testable import Telegram

/// Every transition of the poll loop's state, without I/O; the jitter comes from a seeded generator.
@Suite struct PollStateTests {
    typealias State = PollState<SeededGenerator>
    static let seed = testSeed(default: 0x9011)

    /// The shipped settings (timeout 50 s, watchdog margin 30 s, back-off up to 60 s).
    static func state(offset: Int64 = 0, seed: UInt64 = seed) -> State {
        State(offset: offset, settings: TelegramBot.Settings(configuration: BotConfiguration()), random: SeededGenerator(seed: seed))
    }

    /// The seconds a `.sleep` action waits (nil for any other action).
    static func seconds(_ action: State.Action) -> Double? {
        if case .sleep(let seconds) = action { seconds } else { nil }
    }

    @Test func itStartsFromTheStoredOffsetWithTheWatchdogDeadline() {
        let state = Self.state(offset: 41)
        #expect(state.start() == .poll(offset: 41, timeout: 50, deadline: 80))
    }

    @Test func anEmptyAnswerPollsAgainFromTheSameOffset() {
        var state = Self.state(offset: 7)
        #expect(state.answered([]) == .poll(offset: 7, timeout: 50, deadline: 80))
        #expect(state.offset == 7)
    }

    @Test func aBatchIsHandledThenPolledPast() {
        var state = Self.state(offset: 10)
        // Malformed ids count: the highest of all ids is what the batch goes through.
        #expect(state.answered([12, 10, 15, 11]) == .handle(through: 15))
        #expect(state.offset == 10, "the offset moves only once the batch committed")
        #expect(state.handled(through: 15) == .poll(offset: 16, timeout: 50, deadline: 80))
    }

    @Test func theOffsetNeverMovesBack() {
        var state = Self.state(offset: 100)
        #expect(state.handled(through: 40) == .poll(offset: 100, timeout: 50, deadline: 80))
        #expect(state.offset == 100)
    }

    @Test func failuresDoubleTheWaitUpToTheMaximumWithJitter() {
        var state = Self.state()
        let bases: [Double] = [1, 2, 4, 8, 16, 32, 60, 60, 60]
        var factors: [Double] = []
        for base in bases {
            #expect(state.backoff.seconds == base)
            let wait = Self.seconds(state.failed(.other))
            let factor = (wait ?? 0) / base
            #expect(State.jitter.contains(factor), "wait \(String(describing: wait)) for base \(base) (seed \(Self.seed))")
            factors.append(factor)
            #expect(state.slept() == .poll(offset: 0, timeout: 50, deadline: 80))
        }
        #expect(Set(factors).count > 1, "the jitter varies (seed \(Self.seed))")
    }

    @Test func theJitterComesFromTheInjectedGenerator() {
        var a = Self.state(seed: Self.seed), b = Self.state(seed: Self.seed), c = Self.state(seed: Self.seed &+ 1)
        let first = (0..<5).map { _ in a.failed(.other) }
        #expect((0..<5).map { _ in b.failed(.other) } == first)
        #expect((0..<5).map { _ in c.failed(.other) } != first)
    }

    @Test func aConflictWaitsAtLeastFiveSeconds() {
        var state = Self.state()
        let wait = Self.seconds(state.failed(.conflict)) ?? 0
        #expect(wait >= 5 * State.jitter.lowerBound && wait <= 5 * State.jitter.upperBound, "\(wait) (seed \(Self.seed))")
        // It doubles from the floor; a later network failure keeps the grown wait.
        #expect(state.backoff.seconds == 10)
        _ = state.failed(.other)
        #expect(state.backoff.seconds == 20)
        // A conflict never lowers a wait that is already longer.
        _ = state.failed(.conflict)
        #expect(state.backoff.seconds == 40)
    }

    @Test func anAnsweredPollResetsTheWait() {
        var state = Self.state()
        for _ in 0..<4 { _ = state.failed(.other) }
        #expect(state.backoff.seconds == 16)
        _ = state.answered([3])
        #expect(state.backoff.seconds == 1)
        // A batch that then fails to commit waits the first wait, and is polled again from the old offset.
        let wait = Self.seconds(state.failed(.other)) ?? 0
        #expect(State.jitter.contains(wait), "\(wait) (seed \(Self.seed))")
        #expect(state.slept() == .poll(offset: 0, timeout: 50, deadline: 80))
    }

    @Test func theWatchdogPollsAgainAtOnceAndKeepsTheWait() {
        var state = Self.state(offset: 5)
        _ = state.failed(.other)
        _ = state.failed(.other)
        #expect(state.watchdogFired() == .poll(offset: 5, timeout: 50, deadline: 80))
        #expect(state.backoff.seconds == 4)
    }

    @Test func aRefusedTokenOrCancellationStops() {
        var state = Self.state()
        #expect(state.failed(.tokenRefused) == .stop(.tokenRefused))
        #expect(state.failed(.cancelled) == .stop(.cancelled))
        #expect(state.backoff.seconds == 1, "stopping is not a failure to back off from")
    }

    @Test func errorsAreClassified() {
        #expect(State.Failure(BotAPIError.unauthorized) == .tokenRefused)
        #expect(State.Failure(BotAPIError.conflict("Conflict: terminated by other getUpdates request")) == .conflict)
        #expect(State.Failure(BotAPIError.cancelled) == .cancelled)
        #expect(State.Failure(CancellationError()) == .cancelled)
        #expect(State.Failure(BotAPIError.server(status: 502, body: "")) == .other)
        #expect(State.Failure(BotAPIError.noResponse("timeout")) == .other)
        #expect(State.Failure(BotAPIError.notFound) == .other)
    }

    @Test func theMaximumAndTimeoutComeFromTheSettings() {
        var settings = TelegramBot.Settings(configuration: BotConfiguration())
        settings.pollTimeoutSeconds = 1
        settings.watchdogMarginSeconds = 2
        settings.maximumBackoffSeconds = 3
        var state = State(offset: 0, settings: settings, random: SeededGenerator(seed: Self.seed))
        #expect(state.start() == .poll(offset: 0, timeout: 1, deadline: 3))
        for _ in 0..<5 { _ = state.failed(.other) }
        #expect(state.backoff.seconds == 3)
    }
}
