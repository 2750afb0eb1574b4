import Understanding
import BaohaoSupport

/// Saving FAQ changes: the review (problems, diff, regressions), the confirmation a change
/// with regressions needs, and the FAQ editor's buttons.
extension OperatorConsole {
    func problemList(_ problems: [FAQProblem]) -> String {
        context.t(.adminProblems, ["body": problems.map { "• \($0.field): \($0.reason)" }.joined(separator: "\n")])
    }

    func regressionList(_ regressions: [RegressionGate.Regression]) -> String {
        context.t(.adminRegressions, [
            "count": String(regressions.count),
            "body": regressions.prefix(10).map { "• “\($0.question.text)”: \($0.before) → \($0.after)" }.joined(separator: "\n"),
        ])
    }

    /// Delete and rollback: reviewed first, like a save.
    func review(_ change: FAQEditor.Change) throws -> Reply {
        let c = context
        let review: FAQEditor.Review
        do { review = try c.assistant.faqEditor.review(change, in: c.db, classifier: c.knowledge.classifier) } catch let rejection as FAQEditor.Rejection {
            return Reply(html: c.t(.adminRefused, ["reason": rejection.description]))
        }
        if !review.problems.isEmpty { return Reply(html: problemList(review.problems)) }
        if review.regressions.isEmpty { return try applyChange(change, accept: false) }
        // Regressions: ask, remembering the change in the button.
        let confirm: ButtonPayload.FAQAdminButton =
            switch change {
            case .delete(let id, let basedOn): .delete(id: id, basedOn: basedOn)
            case .rollback(let id, let to, let basedOn): .rollback(id: id, to: to, basedOn: basedOn)
            case .save: .saveAnyway
            }
        return Reply(
            html: c.t(.adminPreview, ["id": change.entryID, "diff": review.diff.joined(separator: "\n")]) + "\n\n" + regressionList(review.regressions),
            buttons: [[OutboundButton(c.label(.adminButtonSaveAnyway), .faqAdmin(confirm)), cancelButton]])
    }

    /// Saves `change`; the reply says what became of it.
    /// Phrasings the operator accepted become labelled questions for later regression gates.
    func applyChange(_ change: FAQEditor.Change, accept: Bool, acceptedPhrasings: [String] = []) throws -> Reply {
        let c = context
        do {
            let version = try c.assistant.faqEditor.apply(change, in: c.db, classifier: c.knowledge.classifier, author: c.author, at: c.now, acceptingRegressions: accept)
            if let entry = version.entry {
                for phrasing in acceptedPhrasings.prefix(20) {
                    try LabelledExamples.add(c.db, text: phrasing, label: entry.topic, target: .faq(entry.id), source: "operator", at: c.now)
                }
            }
            try discardDraft()
            return Reply(html: c.t(.adminSaved, ["id": version.entryID, "version": String(version.version), "diff": version.note]))
        } catch let rejection as FAQEditor.Rejection {
            if case .regressions(let found) = rejection, case .save(let entry, let basedOn) = change {
                // An alias that steals a match: same confirmation as a draft.
                var draft = FAQDraft(step: .preview, entry: entry, basedOn: basedOn, field: nil, at: c.now)
                draft.regressions = found.count
                try draft.save(c.db, chat: c.chat, at: c.now)
                startDraftFlow()
                return Reply(html: regressionList(found), buttons: [[OutboundButton(c.label(.adminButtonSaveAnyway), .faqAdmin(.saveAnyway)), cancelButton]])
            }
            return Reply(html: c.t(.adminRefused, ["reason": rejection.description]))
        }
    }

    /// The FAQ editor's buttons: save, save anyway, cancel, a topic, a confirmed delete or rollback.
    func faqButton(_ button: ButtonPayload.FAQAdminButton) throws -> Reply {
        let c = context
        switch button {
        case .cancel:
            try discardDraft()
            return Reply(html: c.t(.adminCancelled), editsPressedMessage: true)
        case .topic(let topic):
            guard var draft = try FAQDraft.load(c.db, chat: c.chat, at: c.now), draft.step == .topic else { return Reply(html: c.t(.adminDraftGone)) }
            draft.entry = draft.entry.with(topic: topic)
            draft.step = .tags
            try draft.save(c.db, chat: c.chat, at: c.now)
            startDraftFlow()
            return askNext(draft)
        case .save, .saveAnyway:
            guard let draft = try FAQDraft.load(c.db, chat: c.chat, at: c.now), draft.step == .preview else { return Reply(html: c.t(.adminDraftGone)) }
            let previous = Set(try FAQStore.latest(c.db, id: draft.entry.id)?.entry?.phrasings ?? [])
            let accepted = draft.entry.phrasings.filter { !previous.contains($0) }
            return try applyChange(.save(draft.entry, basedOn: draft.basedOn), accept: button == .saveAnyway, acceptedPhrasings: accepted).editing
        case .delete(let id, let basedOn):
            return try applyChange(.delete(id: id, basedOn: basedOn), accept: true)
        case .rollback(let id, let to, let basedOn):
            return try applyChange(.rollback(id: id, to: to, basedOn: basedOn), accept: true)
        }
    }
}
