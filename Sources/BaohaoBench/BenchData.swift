import BaohaoCore
import Storage
import Understanding
import BaohaoSupport

/// Databases the benchmarks run against: many bound lines, a large FAQ.
enum BenchData {
    /// `count` lines, each bound to its own chat, expiries spread over a year from 2026-06-01.
    static func insertLines(_ db: any Connection, catalogue: CarrierCatalogue, count: Int) throws {
        let carriers = catalogue.carriers
        let start = CivilDate(iso: "2026-06-01")!
        try db.transaction {
            var generator = SplitMix(seed: 7)
            for i in 0..<count {
                let carrier = carriers[i % carriers.count]
                // Valid US numbers (exchange 200–999): +1 310 EEE NNNN, 8 million distinct.
                let line = String(i % 10_000)
                let number = "+1310\(200 + (i / 10_000) % 800)" + String(repeating: "0", count: 4 - line.count) + line
                let expires = start.adding(days: Int(generator.next() % 365)).description
                let lineID = try db.queryFirst(
                    "INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, 0, '', '') RETURNING id",
                    number, carrier.id, carrier.plans[0].id, carrier.currency, expires
                ) { $0.int64(0) }
                try db.execute("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, '')", Int64(10_000 + i), lineID)
            }
        }
    }

    /// `count` FAQ entries: the shipped ones, then variants of them with their own ids and phrasings.
    /// Entries cloned from the shipped ones (renamed, with numbered phrasings) until they hold
    /// `answers` answers in all, variants included: a variant is an answer as a whole entry
    /// was before variants existed, so "1,000 FAQ answers" is the content the budget was set for.
    static func faq(_ shipped: [FAQEntry], answers: Int) -> [FAQEntry] {
        var out: [FAQEntry] = [], total = 0, i = 0
        while total < answers {
            let base = shipped[i % shipped.count]
            let n = i / shipped.count
            var entry = base
            if n > 0 {
                let variants = base.variants.map { FAQVariant(id: "\($0.id)-v\(n)", regions: $0.regions, carriers: $0.carriers, answer: $0.answer, leftOut: $0.leftOut) }
                entry = base.with(id: "\(base.id)-v\(n)", phrasings: base.phrasings.map { "\($0) \(n)号" }, variants: variants)
            }
            // The last entry keeps only the variants that fit.
            let room = answers - total - 1
            if entry.variants.count > room { entry = entry.with(variants: Array(entry.variants.prefix(room))) }
            out.append(entry)
            total += 1 + entry.variants.count
            i += 1
        }
        return out
    }
}
