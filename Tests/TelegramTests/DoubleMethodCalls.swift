import Foundation
import Testing
@testable import BotAPIDouble

/// What the double's method tests share: a started double, one call on a fresh connection
/// (`TestClient` of BotAPIDoubleTests), and an error with exactly the real server's description.
protocol DoubleMethodCalls {
    var token: String { get }
}

extension DoubleMethodCalls {
    func makeDouble(limits: FloodControl.Limits? = nil) throws -> BotAPIDouble {
        let double = try BotAPIDouble(enforceLimits: limits)
        double.start()
        return double
    }

    /// One call on a fresh connection.
    func call(_ double: BotAPIDouble, _ method: String, _ body: [String: Any]) throws -> TestResponse {
        let client = try TestClient(port: double.port)
        return try #require(client.request("/bot\(token)/\(method)", body: json(body)))
    }

    /// A 400 (or other status) with exactly `description`.
    func expectError(
        _ response: TestResponse, _ description: String, status: Int = 400, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(response.body)", sourceLocation: sourceLocation)
        #expect(response.description == description, sourceLocation: sourceLocation)
        #expect(response.object["error_code"] as? Int == status, sourceLocation: sourceLocation)
    }
}
