// libFuzzer harness for the getUpdates decoders (`make fuzz`). Built with swiftc together
// with Sources/Telegram/BotAPI/BotAPITypes.swift, UpdateBytesDecoder.swift and
// Sources/BaohaoCore/Support/JSONEscape.swift; not part of
// the SwiftPM package.
import FoundationEssentials

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpdates(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    // Any body: the envelope decodes or throws; it never traps.
    let slow = (try? JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: bytes))?.result
    if let updates = slow {
        for item in updates {
            // Every item either decoded, or keeps its id (or has none) to be skipped.
            if let update = item.update { precondition(update.updateID == item.updateID || item.updateID == nil) }
        }
    }
    // The bytes decoder never traps, and what it decodes JSONDecoder decodes the same way.
    if let fast = UpdateBytesDecoder.decode(Array(UnsafeBufferPointer(start: data, count: size))) {
        guard let slow else { preconditionFailure("decoded by bytes, refused by JSONDecoder") }
        precondition(fast.count == slow.count, "a different number of updates")
        for (a, b) in zip(fast, slow) { precondition(a.updateID == b.updateID && a.update == b.update, "an update decoded differently") }
    }
    return 0
}
