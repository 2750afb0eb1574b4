import BaohaoCore
import Storage
import Understanding
import BaohaoSupport

/// Databases the benchmarks run against: many bound lines, a large FAQ.
enum BenchData {
    /// `count` lines, each bound to its own chat, expiries spread over a year from 2026-06-01.
    static func insertLines(_ db: Connection, catalogue: CarrierCatalogue, count: Int) throws {
        let carriers = catalogue.carriers
        let start = CivilDate(iso: "2026-06-01")!
        try db.transaction {
            let insertLine = try db.prepare(
                "INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, 0, '', '')")
            let insertBinding = try db.prepare("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, '')")
            var generator = SplitMix(seed: 7)
            for i in 0..<count {
                let carrier = carriers[i % carriers.count]
                // Valid US numbers (exchange 200–999): +1 310 EEE NNNN, 8 million distinct.
                let line = String(i % 10_000)
                let number = "+1310\(200 + (i / 10_000) % 800)" + String(repeating: "0", count: 4 - line.count) + line
                let expires = start.adding(days: Int(generator.next() % 365)).description
                try insertLine.execute([number, carrier.id, carrier.plans[0].id, carrier.currency, expires])
                try insertBinding.execute([Int64(10_000 + i), db.lastInsertRowID])
            }
        }
    }

    /// `count` FAQ entries: the shipped ones, then variants of them with their own ids and phrasings.
    static func faq(_ shipped: [FAQEntry], count: Int) -> [FAQEntry] {
        (0..<count).map { i in
            let base = shipped[i % shipped.count]
            guard i >= shipped.count else { return base }
            let n = i / shipped.count
            return base.with(id: "\(base.id)-v\(n)", phrasings: base.phrasings.map { "\($0) \(n)号" })
        }
    }
}
