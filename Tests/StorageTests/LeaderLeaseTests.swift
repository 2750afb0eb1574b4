import Testing
import TestSupport
@testable import Storage

/// The leader lease's state machine, driven by hand: no database, no clock, no sleeping.
@Suite struct LeaderLeaseTests {
    private let t0 = ContinuousClock.now
    private func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64((seconds * 1000).rounded())) }

    /// A standby that acquires `epoch` at `seconds` (TTL 10 s, margin 2 s, renew 2.5 s).
    private func leader(epoch: Int64 = 1, since seconds: Double = 0) -> LeaderLease {
        var lease = LeaderLease()
        #expect(lease.tick(at: at(seconds)) == .tryAcquire)
        #expect(lease.acquired(epoch: epoch, at: at(seconds)) == .startLeading(epoch: epoch))
        return lease
    }

    @Test func defaultsFollowTheTTL() {
        let configuration = LeaderLease.Configuration()
        #expect(configuration.ttl == .seconds(10))
        #expect(configuration.margin == .seconds(2))
        #expect(configuration.leadership == .seconds(8))
        #expect(configuration.renewInterval == .milliseconds(2500))
        #expect(configuration.acquireInterval == .seconds(1))
        let short = LeaderLease.Configuration(ttl: .seconds(2))
        #expect(short.leadership == .milliseconds(1600))
    }

    @Test func renewalsKeepLeadership() {
        var lease = leader()
        var now = 0.0
        // Five minutes of renewals every 2.5 s, each answered 0.3 s later.
        for _ in 0..<120 {
            #expect(lease.tick(at: at(now + 1)) == .wait(.milliseconds(1500)))
            now += 2.5
            #expect(lease.tick(at: at(now)) == .renewNow)
            #expect(lease.tick(at: at(now + 0.1)) != .renewNow)  // never doubled while in flight
            _ = lease.renewed(epoch: 1, at: at(now))
            #expect(lease.isLeading(at: at(now + 0.3)))
            #expect(lease.epoch == 1)
        }
        #expect(lease.deadline == at(now + 8))
    }

    @Test func aPausedLeaderStepsDownAtTTLMinusMarginOnItsOwnClock() {
        var lease = leader()
        #expect(lease.tick(at: at(2.5)) == .renewNow)
        // Paused: the renewal never comes back, and nothing reaches the database.
        #expect(lease.isLeading(at: at(7.999)))
        #expect(lease.tick(at: at(7.999)) == .wait(.milliseconds(1)))
        #expect(!lease.isLeading(at: at(8)))
        #expect(lease.tick(at: at(8)) == .stopLeading(.leaseExpired))
        #expect(lease.state == .steppingDown(epoch: 1, reason: .leaseExpired))
        #expect(lease.epoch == nil)
        // Resumed long after: a late renewal reply does not bring the leadership back.
        #expect(lease.renewed(epoch: 1, at: at(2.5)) == .wait(.seconds(1)))
        #expect(!lease.isLeading(at: at(30)))
    }

    @Test func aLeaderThatOnlySleptStepsDownAtTheFirstInputPastTheDeadline() {
        var lease = leader()
        // No tick for 20 s (SIGSTOP), then the first thing it hears is a failed renewal.
        #expect(lease.renewFailed(at: at(20)) == .stopLeading(.leaseExpired))
    }

    @Test func failedRenewalsAreRetriedUntilTheDeadline() {
        var lease = leader()
        #expect(lease.tick(at: at(2.5)) == .renewNow)
        #expect(lease.renewFailed(at: at(3.5)) == .wait(.milliseconds(1250)))
        #expect(lease.tick(at: at(3.5)) == .renewNow)  // due since 2.5, none in flight
        #expect(lease.renewFailed(at: at(7.5)) == .wait(.milliseconds(500)))  // capped at the deadline
        #expect(lease.tick(at: at(7.6)) == .renewNow)
        #expect(lease.renewed(epoch: 1, at: at(7.6)) == .wait(.milliseconds(2500)))
        #expect(lease.deadline == at(15.6))
        #expect(lease.tick(at: at(15.6)) == .stopLeading(.leaseExpired))
    }

    @Test func theLeaseCountsFromTheRequestNotTheReply() {
        var lease = leader()
        #expect(lease.tick(at: at(2.5)) == .renewNow)
        // The driver wrongly reports the reply's arrival (6 s late): the request's instant wins.
        _ = lease.renewed(epoch: 1, at: at(8.5))
        #expect(lease.deadline == at(10.5))
        // The same for an acquisition.
        var standby = LeaderLease()
        #expect(standby.tick(at: at(0)) == .tryAcquire)
        #expect(standby.acquired(epoch: 4, at: at(5)) == .startLeading(epoch: 4))
        #expect(standby.deadline == at(8))
    }

    @Test func aFencedCommitStepsDownAtOnce() {
        var lease = leader(epoch: 3)
        #expect(lease.tick(at: at(1)) == .wait(.milliseconds(1500)))
        #expect(lease.commitFenced() == .stopLeading(.fenced))
        #expect(!lease.isLeading(at: at(1)))
        #expect(lease.highestEpoch >= 4)
        #expect(lease.tick(at: at(1.5)) == .wait(.seconds(1)))  // waits for the driver to stop
        // Once stopped, it is a standby that tries again (and will only get a newer epoch).
        #expect(lease.stoppedLeading(at: at(2)) == .tryAcquire)
        #expect(lease.acquired(epoch: 3, at: at(2)) != .startLeading(epoch: 3))
        #expect(lease.epoch == nil)
    }

    @Test func aRenewalAnsweringANewerEpochStepsDown() {
        var lease = leader(epoch: 2)
        #expect(lease.tick(at: at(2.5)) == .renewNow)
        #expect(lease.renewed(epoch: 5, at: at(2.5)) == .stopLeading(.superseded(by: 5)))
        #expect(lease.highestEpoch == 5)
    }

    @Test func aStandbyLeadsOnlyOnceToldTheLeaseExpiredAndThenWithTheNewEpoch() {
        var standby = LeaderLease()
        var now = 0.0
        // The lease is held by epoch 7 for a while: every attempt is refused.
        for _ in 0..<5 {
            #expect(standby.tick(at: at(now)) == .tryAcquire)
            #expect(standby.tick(at: at(now + 0.1)) == .wait(.seconds(1)))  // in flight: not doubled
            #expect(standby.acquireRefused(heldAtEpoch: 7, at: at(now + 0.2)) == .wait(.seconds(1)))
            #expect(standby.tick(at: at(now + 0.7)) == .wait(.milliseconds(500)))
            #expect(!standby.isLeading(at: at(now + 0.7)))
            #expect(standby.epoch == nil)
            now += 1.2
        }
        // The holder stopped renewing; the database lets this attempt take the lease.
        #expect(standby.tick(at: at(now)) == .tryAcquire)
        #expect(standby.acquired(epoch: 8, at: at(now)) == .startLeading(epoch: 8))
        #expect(standby.epoch == 8)
        #expect(standby.isLeading(at: at(now + 7.9)))
        #expect(!standby.isLeading(at: at(now + 8)))
    }

    @Test func epochsNeverGoBack() {
        var standby = LeaderLease(highestEpochSeen: 0)
        #expect(standby.tick(at: at(0)) == .tryAcquire)
        _ = standby.acquireRefused(heldAtEpoch: 9, at: at(0))
        // An acquisition reporting an epoch at or below one already seen is not leadership.
        #expect(standby.tick(at: at(1)) == .tryAcquire)
        #expect(standby.acquired(epoch: 9, at: at(1)) != .startLeading(epoch: 9))
        #expect(standby.acquired(epoch: 3, at: at(1)) != .startLeading(epoch: 3))
        #expect(standby.epoch == nil)
        #expect(standby.acquired(epoch: 10, at: at(1)) == .startLeading(epoch: 10))
        // A stale renewal reply for an older epoch changes nothing.
        #expect(standby.tick(at: at(3.5)) == .renewNow)
        _ = standby.renewed(epoch: 4, at: at(3.5))
        #expect(standby.epoch == 10)
        #expect(standby.deadline == at(9))
        #expect(standby.highestEpoch == 10)
    }

    @Test func leadershipIsNeverTakenWithoutAnAcquisition() {
        var lease = LeaderLease()
        // Inputs that mean nothing to a standby leave it a standby.
        _ = lease.renewed(epoch: 1, at: at(0))
        _ = lease.renewFailed(at: at(0))
        _ = lease.commitFenced()
        _ = lease.resign()
        _ = lease.stoppedLeading(at: at(0))
        #expect(lease.epoch == nil)
        #expect(!lease.isLeading(at: at(0)))
    }

    @Test func resigningHandsOver() {
        var lease = leader(epoch: 2)
        #expect(lease.resign() == .stopLeading(.resigned))
        #expect(!lease.isLeading(at: at(0.5)))
        #expect(lease.state == .steppingDown(epoch: 2, reason: .resigned))
    }

    /// Random interleavings: whatever the driver reports, the machine never leads past its
    /// deadline, never leads without an acquisition, and its epoch never goes back.
    @Test(arguments: 0..<20)
    func invariantsHoldUnderRandomInputs(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &+ 0x5EED)
        var lease = LeaderLease(configuration: .init(ttl: .seconds(2)))
        var now = 0.0
        var databaseEpoch: Int64 = 0
        var lastLedEpoch: Int64 = 0
        var latestReportedStart = -1.0
        for _ in 0..<2_000 {
            now += Double(Int.random(in: 0...400, using: &random)) / 1000
            let action: LeaderLease.Action
            let input = Int.random(in: 0..<10, using: &random)
            switch input {
            case 0...4: action = lease.tick(at: at(now))
            case 5:
                latestReportedStart = max(latestReportedStart, now - 0.05)
                action = lease.renewed(epoch: lease.epoch ?? databaseEpoch, at: at(now - 0.05))
            case 6: action = lease.renewFailed(at: at(now))
            case 7:
                databaseEpoch += 1
                latestReportedStart = max(latestReportedStart, now)
                action = lease.acquired(epoch: databaseEpoch, at: at(now))
            case 8: action = Bool.random(using: &random) ? lease.commitFenced() : lease.acquireRefused(heldAtEpoch: databaseEpoch, at: at(now))
            default: action = lease.stoppedLeading(at: at(now))
            }
            if case .startLeading(let epoch) = action {
                #expect(epoch > lastLedEpoch)
                lastLedEpoch = epoch
            }
            if let deadline = lease.deadline {
                // Never extended beyond what a reported request justifies.
                #expect(deadline <= at(latestReportedStart) + .milliseconds(1600))
                // A tick at or past the deadline has stepped down.
                if input <= 4 { #expect(at(now) < deadline) }
            }
            if let epoch = lease.epoch { #expect(epoch == lastLedEpoch) }
            #expect(lease.highestEpoch >= lastLedEpoch)
        }
    }
}
