import Testing
@testable import Understanding

@Suite struct HostileInputTests {
    static let inputs: [String] = [
        "", " ", "\n\n\t", String(repeating: "a", count: 100_000), String(repeating: "續費", count: 50_000),
        String(repeating: "👩‍👩‍👧‍👦", count: 2_000), "？？？！！！。。。", "\u{200D}\u{200E}\u{202E}\u{2066}", "e\u{0301}\u{0301}\u{0301}",
        "\u{0000}\u{0001}\u{001B}[31m", "\u{FFFF}\u{FFFE}", String(repeating: "1", count: 5_000), String(repeating: "+1 ", count: 3_000),
        "𠀀𠀁𪜀", "ﷺ ﷽", "' OR 1=1; DROP TABLE lines;--", "<script>alert(1)</script>", "%s%n%x", "\u{1F1ED}\u{1F1F0}",
    ]

    @Test(arguments: inputs)
    func anyInputGivesABoundedDecision(text: String) {
        let decision = shippedClassifier.classify(text, explain: true)
        #expect(decision.normalized.scalars.count <= TextNormalizer.maximumOutputScalars)
        #expect(decision.candidates.count <= 5)
        #expect(decision.entities.count <= TextNormalizer.maximumInputScalars)
        #expect((0...1).contains(decision.confidence))
    }

    @Test func emptyAndPunctuationOnlyAreOutOfScope() {
        for text in ["", "   ", "？！。", "👍👍", "\u{200D}"] {
            #expect(shippedClassifier.classify(text).outcome == .outOfScope)
        }
    }
}
