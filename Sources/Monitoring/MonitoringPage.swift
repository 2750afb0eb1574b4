/// One answer of the monitoring endpoint: its status, its content type and its body.
public struct MonitoringPage: Sendable, Equatable {
    /// The HTTP status code (200, 503, ...).
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body, sent as UTF-8.
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A plain-text page.
    public static func text(_ status: Int, _ body: String) -> MonitoringPage {
        MonitoringPage(status: status, contentType: "text/plain; charset=utf-8", body: body)
    }
}
