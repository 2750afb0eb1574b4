import Testing
import BaohaoSupport

@Suite struct SHA256Tests {
    private static func digest(_ text: String) -> String { SHA256.hex(SHA256.hash(Array(text.utf8))) }

    @Test func publishedVectors() {
        #expect(Self.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            Self.digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionAs() {
        let digest = SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundary (55 bytes fits one block, 56 needs two).
    @Test func paddingBoundaries() {
        let expected = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
        ]
        for (n, hex) in expected {
            #expect(Self.digest(String(repeating: "a", count: n)) == hex, "\(n) bytes")
        }
    }

    @Test func digestIs32Bytes() {
        #expect(SHA256.hash([1, 2, 3]).count == 32)
        #expect(SHA256.hex([0x00, 0xFF, 0x0A, 0xB0]) == "00ff0ab0")
        #expect(SHA256.hex([]) == "")
    }

    @Test func constantTimeEqual() {
        #expect(SHA256.constantTimeEqual([], []))
        #expect(SHA256.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!SHA256.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!SHA256.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!SHA256.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!SHA256.constantTimeEqual([], [0]))
        let a = SHA256.hash(Array("abc".utf8)), b = SHA256.hash(Array("abd".utf8))
        #expect(SHA256.constantTimeEqual(a, SHA256.hash(Array("abc".utf8))))
        #expect(!SHA256.constantTimeEqual(a, b))
    }
}
