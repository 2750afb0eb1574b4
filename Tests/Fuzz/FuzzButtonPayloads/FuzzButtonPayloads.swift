// libFuzzer harness for button payloads (`callback_data`, `make fuzz`); a plain `swift build` makes it
// replay inputs instead (see FuzzDriver). Two properties on every input:
// - the input as a pressed button's data: parsing never traps, and what parses re-encodes, within
//   Telegram's 64 bytes, to a payload that parses back to itself and is an operator's exactly when
//   its kind is one of the console's;
// - the input as the choices of a payload the bot could make (`PayloadMaker`): it encodes to what
//   parses back to it, within 64 bytes when its fields are as large as the bot's get, and a button
//   never carries more than 64 bytes (an overlong payload becomes one that parses as nothing).
import BaohaoCore
import FuzzDriver

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzButtonPayloads", entry: fuzzButtonPayloads, seeds: "Tests/Fuzz/Seeds/button-payloads") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzButtonPayloads(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    checkPressed(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    var input = FuzzBytes(data, size)
    let realistic = input.bool()
    checkMade(PayloadMaker(realistic: realistic).payload(&input), realistic: realistic)
    return 0
}

/// Whether `text` names a kind only operators may press (compared as bytes: a colon followed
/// by a joiner is one Character, and `hasPrefix` would miss it).
private func hasOperatorKind(_ text: String) -> Bool { ["fq:", "un:", "rf:"].contains { text.utf8.starts(with: $0.utf8) } }

/// Any text as the data of a pressed button.
private func checkPressed(_ text: String) {
    guard let payload = ButtonPayload(encoded: text) else { return }
    let encoded = payload.encoded
    fuzzRequire(encoded.utf8.count <= ButtonPayload.maximumBytes, "\(text.debugDescription) parses to \(payload), which encodes to \(encoded.utf8.count) bytes")
    fuzzRequire(ButtonPayload(encoded: encoded) == payload, "\(text.debugDescription) parses to \(payload), whose encoding \(encoded.debugDescription) parses otherwise")
    fuzzRequire(payload.isOperatorOnly == hasOperatorKind(text), "\(text.debugDescription): operator-only \(payload.isOperatorOnly), but its kind says otherwise")
}

/// A payload built by the bot's rules: it survives the trip through a button.
private func checkMade(_ payload: ButtonPayload, realistic: Bool) {
    let encoded = payload.encoded
    let carried = OutboundButton("label", payload).payload
    fuzzRequire(carried.utf8.count <= ButtonPayload.maximumBytes, "\(payload): a button carries \(carried.utf8.count) bytes")
    fuzzRequire(payload.isOperatorOnly == hasOperatorKind(encoded), "\(payload) encodes to \(encoded.debugDescription), whose kind disagrees with isOperatorOnly")
    if encoded.utf8.count <= ButtonPayload.maximumBytes {
        fuzzRequire(carried == encoded, "\(payload): the button carries \(carried.debugDescription), not \(encoded.debugDescription)")
        let parsed = ButtonPayload(encoded: encoded)
        fuzzRequire(parsed == payload, "\(payload) encodes to \(encoded.debugDescription), which parses as \(String(describing: parsed))")
    } else {
        fuzzRequire(!realistic, "\(payload), with fields no larger than the bot's, encodes to \(encoded.utf8.count) bytes")
        fuzzRequire(ButtonPayload(encoded: carried) == nil, "\(payload) is over the limit, yet its button's \(carried.debugDescription) parses")
    }
}
