import TestSupport
import Testing
@testable import BaohaoCore
import BaohaoSupport

@Suite struct BindingCodeTests {
    private static let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test func generatedCodesAreTenCharactersOfTheAlphabet() {
        #expect(BindingCode.length == 10)
        #expect(BindingCode.entropyBits == 50)
        #expect(BindingCode.alphabet.count == 32)
        var generator = SeededGenerator(state: 42)
        var seen = Set<String>()
        for _ in 0..<200 {
            let code = BindingCode.generate(using: &generator)
            #expect(code.count == 10)
            #expect(code.allSatisfy(Self.alphabet.contains), "\(code)")
            #expect(BindingCode.canonical(code) == code)
            seen.insert(code)
        }
        #expect(seen.count == 200)
    }

    @Test func seededGeneratorIsReproducibleAndCodesDiffer() {
        var g1 = SeededGenerator(state: 7), g2 = SeededGenerator(state: 7)
        let a = BindingCode.generate(using: &g1), b = BindingCode.generate(using: &g1)
        #expect(a != b)
        #expect(BindingCode.generate(using: &g2) == a)
        #expect(BindingCode.generate(using: &g2) == b)
        var system = SystemRandomNumberGenerator()
        let c = BindingCode.generate(using: &system)
        #expect(c.count == 10 && c.allSatisfy(Self.alphabet.contains))
    }

    @Test func canonicalFoldsWhatPeopleType() {
        #expect(BindingCode.canonical("ABCDEFGHJK") == "ABCDEFGHJK")
        #expect(BindingCode.canonical("abcde-fghjk") == "ABCDEFGHJK")
        #expect(BindingCode.canonical(" abcde fghjk ") == "ABCDEFGHJK")
        #expect(BindingCode.canonical("ab-cd\tef gh-jk") == "ABCDEFGHJK")
        #expect(BindingCode.canonical("OIL00-ABCDE") == "01100ABCDE")
        #expect(BindingCode.canonical("oil00-abcde") == "01100ABCDE")
        #expect(BindingCode.canonical("o0o0o-1i1l1") == "0000011111")
    }

    @Test func canonicalRejectsWhatCannotBeACode() {
        #expect(BindingCode.canonical("") == nil)
        #expect(BindingCode.canonical("ABCDE") == nil)
        #expect(BindingCode.canonical("ABCDEFGHJ") == nil)
        #expect(BindingCode.canonical("ABCDEFGHJKM") == nil)
        #expect(BindingCode.canonical("ABCDE-FGHJU") == nil)
        #expect(BindingCode.canonical("ABCDE*FGHJ") == nil)
        #expect(BindingCode.canonical("ABCDE_FGHJK") == nil)
        #expect(BindingCode.canonical("ÄBCDEFGHJK") == nil)
        #expect(BindingCode.canonical("----------") == nil)
    }

    @Test func displayAndHash() {
        #expect(BindingCode.display("ABCDEFGHJK") == "ABCDE-FGHJK")
        #expect(BindingCode.display("ABC") == "ABC")
        #expect(BindingCode.canonical(BindingCode.display("0123456789")) == "0123456789")
        // The stored hash is SHA-256 of salt followed by the code.
        #expect(SHA256.hex(BindingCode.hash(code: "bc", salt: Array("a".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(BindingCode.hash(code: "ABCDEFGHJK", salt: [1]) != BindingCode.hash(code: "ABCDEFGHJK", salt: [2]))
        #expect(BindingCode.validitySeconds == 86_400)
    }
}
