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
    /// console and for plain-text fallbacks). Works on Unicode scalars, so a combining mark
    /// or joiner right after `;` or `>` cannot hide the end of an entity or a tag.
    public static func plainText(_ html: String) -> String {
        var out = String.UnicodeScalarView()
        var inTag = false
        var entity: String.UnicodeScalarView?
        for c in html.unicodeScalars {
            if inTag {
                if c == ">" { inTag = false }
                continue
            }
            if var e = entity {
                if c == ";" {
                    switch String(e) {
                    case "amp": out.append("&")
                    case "lt": out.append("<")
                    case "gt": out.append(">")
                    case "quot": out.append("\"")
                    default:
                        out.append("&")
                        out.append(contentsOf: e)
                        out.append(";")
                    }
                    entity = nil
                } else if e.count < 8 {
                    e.append(c)
                    entity = e
                } else {
                    out.append("&")
                    out.append(contentsOf: e)
                    out.append(c)
                    entity = nil
                }
                continue
            }
            if c == "<" {
                inTag = true
            } else if c == "&" {
                entity = String.UnicodeScalarView()
            } else {
                out.append(c)
            }
        }
        if let e = entity {
            out.append("&")
            out.append(contentsOf: e)
        }
        return String(out)
    }
}
