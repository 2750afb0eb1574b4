public import Monitoring
import Synchronization
import BaohaoSupport

/// `/healthz` and `/metrics` of an instance under a leader lease, served across its terms
/// from one server. While it leads, the term's bot answers (its health report and metrics).
/// While it waits as a standby, `/healthz` answers 200 with `"status": "standby"`: a standby
/// is healthy, ready to take over (a load balancer must not restart it for not leading).
/// `/metrics` carries `baohao_lease_leading`, 1 or 0, either way.
public final class LeaseMonitoring: Sendable {
    private let leading = Mutex<BotMonitor?>(nil)
    /// This instance's name in the lease row (`host/pid`).
    public let holder: String

    public init(holder: String) { self.holder = holder }

    /// A term began: its bot answers from now on.
    public func lead(_ monitor: BotMonitor) { leading.withLock { $0 = monitor } }

    /// The term ended: the standby page answers from now on.
    public func standBy() { leading.withLock { $0 = nil } }

    /// `GET /healthz`: the leading bot's report, or the standby's page.
    public func healthPage() -> MonitoringPage {
        if let monitor = leading.withLock({ $0 }) { return monitor.healthPage() }
        let holder = self.holder.unicodeScalars.map { $0 == "\"" || $0 == "\\" || $0.value < 0x20 ? "?" : String($0) }.joined()
        return MonitoringPage(status: 200, contentType: "application/json", body: "{\"status\": \"standby\", \"holder\": \"\(holder)\"}\n")
    }

    /// `GET /metrics`: the leading bot's metrics and whether this instance leads.
    public func metricsPage() -> MonitoringPage {
        let monitor = leading.withLock { $0 }
        let leadingLine = """
            # HELP baohao_lease_leading 1 while this instance holds the leader lease, 0 while it waits as a standby.
            # TYPE baohao_lease_leading gauge
            baohao_lease_leading \(monitor == nil ? 0 : 1)

            """
        guard let monitor else { return MonitoringPage(status: 200, contentType: Metrics.contentType, body: leadingLine) }
        let page = monitor.metricsPage()
        return MonitoringPage(status: page.status, contentType: page.contentType, body: page.body + leadingLine)
    }

    /// The endpoint's routes.
    public var routes: [String: MonitoringServer.Route] {
        ["/healthz": { [self] in healthPage() }, "/metrics": { [self] in metricsPage() }]
    }
}
