import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// Versions, optimistic locking, delete and rollback of stored FAQ entries.
@Suite struct FAQStoreTests {
    static let at = Instant(secondsSinceEpoch: 1_795_341_600)  // 2026-11-22T10:00:00Z

    static func entry(_ id: String = "hk-test", answer: String = "<b>Yes</b>", phrasings: [String] = ["can I", "may I"]) -> FAQEntry {
        FAQEntry(
            id: id, topic: "general", regions: ["HK"], question: [.zhHans: "能吗", .zhHant: "得唔得", .en: "Can I?"], phrasings: phrasings,
            answer: [.zhHans: "可以", .zhHant: "得", .en: answer])
    }

    static func database() async throws -> Database { try await Database.open(path: temporaryDatabase("faq"), migrations: BaohaoSchema.migrations) }

    @Test func savesVersionsWithReadableNotesAndGrowsTheGeneration() async throws {
        let db = try await Self.database()
        try await db.write { db in
            #expect(try FAQStore.generation(db) == 0)
            #expect(try FAQStore.seedIfEmpty(db, entries: [Self.entry("a"), Self.entry("b")], author: "file", at: Self.at))
            #expect(try FAQStore.seedIfEmpty(db, entries: [Self.entry("c")], author: "file", at: Self.at) == false)
            #expect(try FAQStore.generation(db) == 1)
            let v2 = try FAQStore.save(db, Self.entry("a", answer: "<b>No</b>"), basedOn: 1, author: "user:9", at: Self.at)
            #expect(v2.version == 2)
            #expect(v2.note.contains("answer[en]"))
            #expect(try FAQStore.generation(db) == 2)
            #expect(try FAQStore.current(db).map(\.id) == ["a", "b"])
            #expect(try FAQStore.current(db).first?.answer[.en] == "<b>No</b>")
            let history = try FAQStore.history(db, id: "a")
            #expect(history.map(\.version) == [1, 2])
            #expect(history.map(\.author) == ["file", "user:9"])
            #expect(history[0].entry == Self.entry("a"))
        }
    }

    @Test func aSaveBasedOnAnOlderVersionIsRefusedAndChangesNothing() async throws {
        let db = try await Self.database()
        try await db.write { db in
            try FAQStore.save(db, Self.entry(), basedOn: nil, author: "a", at: Self.at)
            try FAQStore.save(db, Self.entry(answer: "second"), basedOn: 1, author: "b", at: Self.at)
            let generation = try FAQStore.generation(db)
            #expect(throws: FAQStore.Refusal.conflict(entry: "hk-test", basedOn: 1, current: 2)) {
                try FAQStore.save(db, Self.entry(answer: "first"), basedOn: 1, author: "a", at: Self.at)
            }
            #expect(throws: FAQStore.Refusal.alreadyExists("hk-test")) { try FAQStore.save(db, Self.entry(), basedOn: nil, author: "a", at: Self.at) }
            #expect(throws: FAQStore.Refusal.unchanged("hk-test")) { try FAQStore.save(db, Self.entry(answer: "second"), basedOn: 2, author: "a", at: Self.at) }
            #expect(try FAQStore.generation(db) == generation)
            #expect(try FAQStore.latest(db, id: "hk-test")?.entry?.answer[.en] == "second")
        }
    }

    @Test func deleteKeepsTheHistoryAndRollbackRestoresAnyVersion() async throws {
        let db = try await Self.database()
        try await db.write { db in
            try FAQStore.save(db, Self.entry(), basedOn: nil, author: "a", at: Self.at)
            try FAQStore.save(db, Self.entry(answer: "changed"), basedOn: 1, author: "a", at: Self.at)
            let deleted = try FAQStore.delete(db, id: "hk-test", basedOn: 2, author: "a", at: Self.at)
            #expect(deleted.version == 3)
            #expect(deleted.entry == nil)
            #expect(try FAQStore.current(db).isEmpty)
            #expect(throws: FAQStore.Refusal.alreadyDeleted("hk-test")) { try FAQStore.delete(db, id: "hk-test", basedOn: 3, author: "a", at: Self.at) }
            let restored = try FAQStore.rollback(db, id: "hk-test", to: 1, basedOn: 3, author: "b", at: Self.at)
            #expect(restored.version == 4)
            #expect(restored.entry == Self.entry())
            #expect(restored.note.hasPrefix("rollback to version 1"))
            #expect(try FAQStore.current(db) == [Self.entry()])
            #expect(throws: FAQStore.Refusal.unknownVersion(entry: "hk-test", version: 9)) {
                try FAQStore.rollback(db, id: "hk-test", to: 9, basedOn: nil, author: "b", at: Self.at)
            }
            #expect(throws: FAQStore.Refusal.unknownEntry("nope")) { try FAQStore.rollback(db, id: "nope", to: 1, basedOn: nil, author: "b", at: Self.at) }
        }
    }

    @Test func storedBodiesRoundTripEveryField() throws {
        let entry = FAQEntry(
            id: "x-1", topic: "renew", regions: ["US", "HK"], carriers: ["ultra"], question: [.zhHans: "怎么\"续费\"\\？\n", .en: "How?\t"],
            phrasings: ["a", "emoji 👨‍👩‍👧 e\u{301}"], answer: [.zhHans: "<b>可以</b> &amp; 好"], leftOut: [.zhHant, .en], threshold: 0.25)
        let json = FAQFileFormat.encode(entry)
        #expect(try FAQStore.decodeBody(json) == entry)
        let file = FAQFileFormat.encodeFile([entry, Self.entry()])
        guard case .success(let decoded) = FAQFileFormat.decodeFile(Array(file.utf8)) else {
            Issue.record("the exported file does not import")
            return
        }
        #expect(decoded == [entry, Self.entry()])
    }
}
