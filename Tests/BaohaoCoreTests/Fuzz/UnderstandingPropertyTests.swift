import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// Seeded property tests over random text: no crash, no hang, bounded output, and the
/// invariants hold. Each prints nothing unless it fails (the seed is fixed; change it to explore).
@Suite struct UnderstandingPropertyTests {
    static let classifier = ShippedAssistantData.classifier

    @Test func normalizationIsIdempotentAndTokensAreBounded() {
        var generator = SeededGenerator(seed: 0xBA0_4A0)
        for _ in 0..<3_000 {
            let text = FuzzText.text(&generator)
            let once = Self.classifier.normalizer.normalize(text)
            let twice = Self.classifier.normalizer.normalize(once.string)
            #expect(twice == once, "not idempotent: \(Array(text.unicodeScalars.map(\.value)))")
            let tokens = Self.classifier.tokenizer.tokens(once)
            #expect(tokens.count <= 2 * once.scalars.count + 1)
        }
    }

    @Test func classificationIsBoundedForAnyText() {
        var generator = SeededGenerator(seed: 7_7_7)
        for _ in 0..<2_000 {
            let text = FuzzText.text(&generator, maxPieces: 30)
            let decision = Self.classifier.classify(text)
            #expect(decision.candidates.count <= 5)
            #expect((0...1).contains(decision.confidence))
        }
        // Very long input: bounded too.
        let long = String(repeating: "续费余额 csl ", count: 20_000)
        #expect(Self.classifier.classify(long).candidates.count <= 5)
    }

    @Test func everyPhoneNumberFoundReParsesToItself() {
        var generator = SeededGenerator(seed: 852)
        var found = 0
        for _ in 0..<3_000 {
            let text = FuzzText.text(&generator)
            for entity in Self.classifier.entities.extract(text) {
                guard case .phoneNumber(let e164, _) = entity.value else { continue }
                found += 1
                let number = PhoneNumber(e164: e164)
                #expect(number?.e164 == e164, "\(e164) from \(text.debugDescription)")
                #expect((try? PhoneNumber.parse(e164, region: nil))?.e164 == e164)
            }
        }
        #expect(found > 50, "the generator must produce phone numbers for this property to mean anything")
    }

    @Test func theLinesFileReaderNeverCrashesAndNamesRealLines() {
        var generator = SeededGenerator(seed: 4)
        let fields = ["+85291234567", "csl", "prepaid", "12.50", "HKD", "2026-12-01", "yes", "note", "\"quoted, with comma\"", "\"", "", "x", "+13105550117", "ultra", "paygo", "1e3", "-0", "２０２６-１２-０１"]
        for _ in 0..<1_500 {
            var csv = "number,carrier,plan,balance,currency,expires_on,auto_renew,note\n"
            let rows = Int(generator.next() % 6)
            for _ in 0..<rows {
                csv += (0..<Int(generator.next() % 10)).map { _ in fields[Int(generator.next() % UInt64(fields.count))] }.joined(separator: ",")
                csv += generator.next() % 5 == 0 ? "\r\n" : "\n"
            }
            if generator.next() % 4 == 0 { csv += FuzzText.text(&generator) }
            let (read, problems) = LinesFile.read(csv, catalogue: ShippedAssistantData.catalogue)
            // Count bytes: in Swift "\r\n" is one Character and would not split on "\n".
            let lineCount = csv.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
            #expect(problems.allSatisfy { (1...(lineCount + 1)).contains($0.line) }, "\(problems) in \(csv.debugDescription)")
            #expect(read.count <= rows + 1)
        }
    }

    @Test func mangledFAQFilesNeverCrashTheImport() throws {
        let original = Array(FAQFileFormat.encodeFile(Array(ShippedAssistantData.understanding.faqEntries.prefix(3))).utf8)
        let validator = FAQValidator(catalogue: ShippedAssistantData.catalogue)
        var generator = SeededGenerator(seed: 65)
        var decoded = 0
        for _ in 0..<1_500 {
            var bytes = original
            for _ in 0..<Int(1 + generator.next() % 4) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
                default: bytes[at] = Array("{}[]\",:0\\nul<>&".utf8)[Int(generator.next() % 15)]
                }
            }
            if case .success(let entries) = FAQFileFormat.decodeFile(bytes) {
                decoded += 1
                for entry in entries { _ = validator.problems(entry) }
            }
        }
        #expect(decoded > 0)
    }

    @Test func escapedTextIsAlwaysValidTelegramHTMLOfTheSameLength() {
        var generator = SeededGenerator(seed: 1_7)
        for _ in 0..<3_000 {
            let text = FuzzText.text(&generator)
            let escaped = HTML.escape(text)
            guard case .success(let length) = TelegramHTMLCheck.check(escaped) else {
                Issue.record("escaped text refused: \(text.debugDescription)")
                continue
            }
            #expect(length == text.utf16.count)
            #expect(HTML.plainText(escaped) == text)
        }
    }
}
