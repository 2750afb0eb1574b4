// libFuzzer harness for the getUpdates decoders (`make fuzz`); a plain `swift build` makes it
// replay inputs instead (see FuzzDriver). Run from the repository root.
import FoundationEssentials
import FuzzDriver
import Telegram

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzUpdates", entry: fuzzUpdates, seeds: "Tests/Fuzz/Seeds/updates") }
}

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
