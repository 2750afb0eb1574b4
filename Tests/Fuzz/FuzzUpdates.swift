// libFuzzer harness for the getUpdates decoder (`make fuzz`). Built with swiftc together
// with Sources/Telegram/BotAPI/BotAPITypes.swift; not part of the SwiftPM package.
import FoundationEssentials

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpdates(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    // Any body: the envelope decodes or throws; it never traps.
    if let envelope = try? JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: bytes), let updates = envelope.result {
        for item in updates {
            // Every item either decoded, or keeps its id (or has none) to be skipped.
            if let update = item.update { precondition(update.updateID == item.updateID || item.updateID == nil) }
        }
    }
    return 0
}
