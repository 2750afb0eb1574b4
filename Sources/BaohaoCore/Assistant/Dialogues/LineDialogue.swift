import Understanding

/// Balance, renewal and cancellation: answers drawn from the chat's own lines. Renewing and
/// cancelling are about one line: the one the message names, the only one bound, or the
/// one the customer picks (a flow, so a typed answer works too).
struct LineDialogue {
    let context: TurnContext

    /// The chat's lines this message points at. A number typed that the chat has not bound
    /// selects nothing (and the caller says only that it is not linked here).
    func linesInQuestion(_ message: MessageContext) throws -> (bound: [LineView], selected: [LineView], unboundNumber: Bool) {
        let bound = try context.lines.lines(visibleTo: context.me)
        if !message.numbers.isEmpty {
            let selected = bound.filter { message.numbers.contains($0.number) }
            return (bound, selected, selected.isEmpty)
        }
        let selected = message.select(bound, catalogue: context.catalogue)
        // Asked about a region or carrier this chat has no line of: nothing to show.
        return (bound, selected, selected.isEmpty && !bound.isEmpty && (!message.regions.isEmpty || !message.carriers.isEmpty))
    }

    // MARK: - Balance

    func balance(_ message: MessageContext) throws -> Reply {
        let c = context
        let (bound, selected, unbound) = try linesInQuestion(message)
        if unbound { return Reply(html: c.t(.balanceNotYours)) }
        if bound.isEmpty { return Reply(html: c.t(.bindHow)) }
        if selected.count == 1 || (selected.count > 1 && selected.count < bound.count) {
            return Reply(html: selected.map(c.card).joined(separator: "\n\n"))
        }
        if bound.count == 1 { return Reply(html: c.card(bound[0])) }
        _ = c.startFlow(.pickLine(.balance))
        return Reply(html: c.t(.balancePick), buttons: c.linePicker(bound, for: .balance, all: true))
    }

    // MARK: - One line

    func renew(_ message: MessageContext) throws -> Reply {
        try oneLine(for: .renew, message, noLine: .renewNoLine, pick: .renewPick)
    }

    func cancel(_ message: MessageContext) throws -> Reply {
        try oneLine(for: .cancel, message, noLine: .cancelNoLine, pick: .cancelPick)
    }

    private func oneLine(for purpose: LinePurpose, _ message: MessageContext, noLine: ReplyKey, pick: ReplyKey) throws -> Reply {
        let c = context
        let (bound, selected, unbound) = try linesInQuestion(message)
        if unbound { return Reply(html: c.t(.balanceNotYours)) }
        if bound.isEmpty { return Reply(html: c.t(noLine)) }
        if selected.count == 1 { return try act(purpose, on: selected[0]) }
        if bound.count == 1 { return try act(purpose, on: bound[0]) }
        _ = c.startFlow(.pickLine(purpose))
        return Reply(html: c.t(pick), buttons: c.linePicker(selected.isEmpty ? bound : selected, for: purpose, all: false))
    }

    func act(_ purpose: LinePurpose, on line: LineView) throws -> Reply {
        switch purpose {
        case .balance: Reply(html: context.card(line))
        case .renew: try renewal(line)
        case .cancel: try cancelWarning(line)
        }
    }

    /// A line picked with a button (or all of them).
    func pressed(_ purpose: LinePurpose, _ choice: ButtonPayload.LineChoice) throws -> Reply {
        let c = context
        c.conversation.flow = nil
        switch choice {
        case .all:
            return Reply(html: try c.lines.lines(visibleTo: c.me).map(c.card).joined(separator: "\n\n"), editsPressedMessage: true)
        case .number(let number):
            guard let line = try? c.lines.line(number, visibleTo: c.me) else { return Reply(html: c.t(.balanceNotYours)) }
            return try act(purpose, on: line).editing
        }
    }

    /// A line picked by typing its last digits; nil when the text picks no single line.
    func pickLine(_ purpose: LinePurpose, text: String) throws -> Reply? {
        let bound = try context.lines.lines(visibleTo: context.me)
        let digits = text.filter(\.isNumber)
        guard digits.count >= 2 else { return nil }
        let matches = bound.filter { $0.number.e164.hasSuffix(digits) || digits.hasSuffix(String($0.number.e164.dropFirst())) }
        guard matches.count == 1 else { return nil }
        context.conversation.flow = nil
        return try act(purpose, on: matches[0])
    }
}
