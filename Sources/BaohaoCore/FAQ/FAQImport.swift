public import Storage
public import Understanding

/// What importing an FAQ file would change: every entry checked first, every problem
/// reported with its entry and field, and the changes to apply all together (entries the
/// file does not mention are left as they are).
public enum FAQImport {
    public struct Change: Sendable {
        /// "add", "update", or "absorb": a stored entry that an imported entry now holds as
        /// a variant (same id), deleted by the import.
        public let kind: String
        public let entry: FAQEntry
        public let basedOn: Int?
        public let diff: [String]
        /// For "absorb": the imported entry that holds it as a variant.
        public var absorbedInto: String? = nil
    }

    public struct Plan: Sendable {
        public let changes: [Change]
        public let unchanged: Int
        public let problems: [FAQProblem]
    }

    public static func plan(_ bytes: [UInt8], in db: any Connection, validator: FAQValidator) throws -> Plan {
        let entries: [FAQEntry]
        switch FAQFileFormat.decodeFile(bytes) {
        case .failure(let found): return Plan(changes: [], unchanged: 0, problems: found.problems)
        case .success(let decoded): entries = decoded
        }
        var problems: [FAQProblem] = [], changes: [Change] = [], unchanged = 0, seen: Set<String> = []
        let fileIDs = Set(entries.map(\.id))
        for entry in entries {
            for variant in entry.variants where !fileIDs.contains(variant.id) {
                guard let latest = try FAQStore.latest(db, id: variant.id), let stored = latest.entry else { continue }
                changes.append(
                    Change(kind: "absorb", entry: stored, basedOn: latest.version, diff: ["absorbed into \(entry.id) as a variant"], absorbedInto: entry.id))
            }
        }
        for entry in entries {
            problems += validator.problems(entry)
            if !seen.insert(entry.id).inserted { problems.append(FAQProblem(entry: entry.id, field: "id", reason: "appears more than once in the file")) }
            let latest = try FAQStore.latest(db, id: entry.id)
            if let current = latest?.entry, current == entry {
                unchanged += 1
            } else if let latest, latest.entry != nil {
                changes.append(Change(kind: "update", entry: entry, basedOn: latest.version, diff: FAQDiff.lines(from: latest.entry, to: entry)))
            } else {
                changes.append(Change(kind: "add", entry: entry, basedOn: nil, diff: []))
            }
        }
        // Ids taken elsewhere: by an entry or variant the file leaves as it is, or by another entry
        // or variant of the file (two entries may not hold the same variant id).
        let absorbed = Set(changes.filter { $0.kind == "absorb" }.map(\.entry.id))
        let kept = try FAQStore.current(db).filter { !fileIDs.contains($0.id) && !absorbed.contains($0.id) }
        for entry in entries { problems += validator.problems(entry, in: kept + entries).filter { $0.field.hasSuffix("id") && $0.reason.contains("is already") } }
        return Plan(changes: problems.isEmpty ? changes : [], unchanged: unchanged, problems: problems)
    }

    /// The known questions the whole import would answer differently.
    public static func regressions(_ plan: Plan, in db: any Connection, editor: FAQEditor, classifier: Classifier) throws -> [RegressionGate.Regression] {
        var entries = try FAQStore.current(db)
        for change in plan.changes {
            if change.kind == "absorb" {
                entries.removeAll { $0.id == change.entry.id }
            } else if let index = entries.firstIndex(where: { $0.id == change.entry.id }) {
                entries[index] = change.entry
            } else {
                entries.append(change.entry)
            }
        }
        let questions = try editor.regressionSet() + (try LabelledExamples.all(db))
        return RegressionGate.regressions(questions, before: classifier, after: classifier.replacingFAQ(entries.map(\.document)))
    }
}
