/// Telegram's HTML: escaping text that goes into a message.
public enum HTML {
    /// `text` with `&`, `<` and `>` escaped, so that whatever a customer typed shows as typed.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` without tags and with entities decoded: what the customer reads (for the
    /// console and for plain-text fallbacks).
    public static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        var entity: String?
        for c in html {
            if inTag { if c == ">" { inTag = false }; continue }
            if var e = entity {
                if c == ";" {
                    switch e {
                    case "amp": out += "&"
                    case "lt": out += "<"
                    case "gt": out += ">"
                    case "quot": out += "\""
                    default: out += "&\(e);"
                    }
                    entity = nil
                } else if e.count < 8 {
                    e.append(c)
                    entity = e
                } else {
                    out += "&" + e + String(c)
                    entity = nil
                }
                continue
            }
            if c == "<" { inTag = true } else if c == "&" { entity = "" } else { out.append(c) }
        }
        if let e = entity { out += "&" + e }
        return out
    }
}
