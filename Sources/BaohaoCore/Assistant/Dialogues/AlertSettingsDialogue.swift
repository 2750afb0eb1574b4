import Understanding
import BaohaoSupport

/// A chat's reminder settings (`/alerts`): on or off, lead days, quiet hours and time zone,
/// each changed with a button; and a reminder's own snooze and stop buttons.
struct AlertSettingsDialogue {
    let context: TurnContext

    /// Zones where customers of number-keeping lines usually live, offered in /alerts.
    static let zones = ["Asia/Shanghai", "Asia/Hong_Kong", "America/Los_Angeles"]

    func show(notice: Bool = false) throws -> Reply {
        let c = context
        let s = try AlertPreferences.settings(c.db, chat: c.chat)
        let quietStart = s.quietStartMinute ?? c.settings.quietStartMinute, quietEnd = s.quietEndMinute ?? c.settings.quietEndMinute
        let quiet = quietStart == quietEnd ? c.label(.quietNone) : "\(Self.hhmm(quietStart))–\(Self.hhmm(quietEnd))"
        let days = s.leadDays.map { $0.map(String.init).joined(separator: ", ") } ?? c.label(.alertsCarrierDefault)
        var html = c.t(.alertsSettings, ["state": c.label(s.enabled ? .alertsOn : .alertsOff), "days": days, "quiet": quiet])
        html += "\n" + c.t(.alertsZoneLine, ["zone": s.timeZone ?? c.label(.alertsZoneDefaultButton)])
        if notice { html = c.t(.alertsUpdated) + "\n" + html }
        let buttons: [[OutboundButton]] = [
            [s.enabled ? OutboundButton(c.label(.alertsTurnOff), .alertSetting(.off)) : OutboundButton(c.label(.alertsTurnOn), .alertSetting(.on))],
            [
                OutboundButton(c.label(.alertsLeadButton, ["days": "7, 3, 1"]), .alertSetting(.leadDays([7, 3, 1]))),
                OutboundButton(c.label(.alertsLeadButton, ["days": "30, 14, 7, 1"]), .alertSetting(.leadDays([30, 14, 7, 1]))),
            ],
            [OutboundButton(c.label(.alertsCarrierDefault), .alertSetting(.leadDays(nil)))],
            [
                OutboundButton(c.label(.alertsQuietButton, ["hours": "22:00–08:00"]), .alertSetting(.quietHours(startMinute: 22 * 60, endMinute: 8 * 60))),
                OutboundButton(c.label(.alertsQuietOffButton), .alertSetting(.quietOff)),
            ],
            Self.zones.map { OutboundButton(c.label(.alertsZoneButton, ["zone": $0]), .alertSetting(.timeZone($0))) },
            [OutboundButton(c.label(.alertsZoneDefaultButton), .alertSetting(.timeZone(nil)))],
        ]
        return Reply(html: html, buttons: buttons)
    }

    /// Applies a settings button; values out of range (a forged payload) change nothing.
    func change(_ change: ButtonPayload.AlertSettingChange) throws -> Reply {
        let c = context
        var s = try AlertPreferences.settings(c.db, chat: c.chat)
        switch change {
        case .on:
            s.enabled = true
            try AlertPreferences.clearOptOuts(c.db, chat: c.chat)
        case .off: s.enabled = false
        case .leadDays(nil): s.leadDays = nil
        case .leadDays(let days?):
            let valid = days.filter { (0...400).contains($0) }
            if !valid.isEmpty { s.leadDays = Array(Set(valid)).sorted(by: >) }
        case .quietOff: (s.quietStartMinute, s.quietEndMinute) = (0, 0)
        case .quietHours(let start, let end):
            if (0..<1440).contains(start), (0..<1440).contains(end) { (s.quietStartMinute, s.quietEndMinute) = (start, end) }
        case .timeZone(nil): s.timeZone = nil
        case .timeZone(let zone?):
            if ZoneInfo.named(zone) != nil { s.timeZone = zone }
        }
        try AlertPreferences.save(c.db, chat: c.chat, s, at: c.now)
        return try show(notice: true).editing
    }

    /// A reminder's buttons: remind tomorrow, or no more reminders for this line.
    func optOut(lineID: Int64, snooze: Bool) throws -> Reply {
        let c = context
        guard let number = try c.lines.boundNumber(lineID: lineID, chat: c.chat) else { return Reply(html: c.t(.balanceNotYours)) }
        try AlertPreferences.optOut(c.db, chat: c.chat, lineID: lineID, until: snooze ? c.now.adding(seconds: 86_400) : nil)
        return Reply(html: snooze ? c.t(.alertSnoozed) : c.t(.alertTurnedOff, ["number": number.maskedForDisplay]))
    }

    static func hhmm(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }
}
