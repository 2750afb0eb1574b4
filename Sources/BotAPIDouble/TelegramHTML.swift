/// A message entity as the Bot API returns it (offsets and lengths in UTF-16 code units).
struct TextEntity: Equatable, Sendable {
    var type: String
    var offset: Int
    var length: Int
    var url: String? = nil
    var language: String? = nil
    var customEmojiID: String? = nil

    func write(to out: inout String) {
        out += "{\"offset\":\(offset),\"length\":\(length),\"type\":"
        appendJSONString(type, to: &out)
        if let url {
            out += ",\"url\":"
            appendJSONString(url, to: &out)
        }
        if let language {
            out += ",\"language\":"
            appendJSONString(language, to: &out)
        }
        if let customEmojiID {
            out += ",\"custom_emoji_id\":"
            appendJSONString(customEmojiID, to: &out)
        }
        out += "}"
    }
}

func entitiesJSON(_ entities: [TextEntity]) -> String {
    var out = "["
    for (index, entity) in entities.enumerated() {
        if index > 0 { out += "," }
        entity.write(to: &out)
    }
    return out + "]"
}

/// Text after entity parsing.
struct FormattedText: Sendable {
    var text: String
    var entities: [TextEntity]
}

/// TDLib's `parse_html` (td/telegram/MessageEntity.cpp), ported byte for byte where errors are concerned:
/// same scanning rules, same messages, byte offsets into the original UTF-8 text.
enum TelegramHTML {
    static let supportedTags: Set<String> = [
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    ]

    private struct OpenTag {
        var name: String
        var argument: [UInt8]
        var expandable: Bool
        var utf16Offset: Int
        var outputPosition: Int
    }

    /// Parses `input`; on failure returns TDLib's message (without the "can't parse entities: " prefix).
    static func parse(_ input: [UInt8]) -> Result<FormattedText, ParseFailure> {
        let count = input.count
        func at(_ position: Int) -> UInt8 { position < count ? input[position] : 0 }
        func fail(_ message: String) -> Result<FormattedText, ParseFailure> { .failure(ParseFailure(message: message)) }

        var output: [UInt8] = []
        output.reserveCapacity(count)
        var entities: [TextEntity] = []
        var utf16Offset = 0
        var decodedSurrogate = false
        var stack: [OpenTag] = []
        var i = 0

        while i < count {
            let byte = input[i]
            if byte == UInt8(ascii: "&"), let (code, next) = decodeEntity(input, at: i) {
                i = next
                utf16Offset += code > 0xFFFF ? 2 : 1
                if (0xD800...0xDFFF).contains(code) { decodedSurrogate = true }
                appendUTF8(code, to: &output)
                continue
            }
            if byte != UInt8(ascii: "<") {
                if byte & 0xC0 != 0x80 { utf16Offset += byte >= 0xF0 ? 2 : 1 }
                output.append(byte)
                i += 1
                continue
            }

            let begin = i
            i += 1
            if at(i) != UInt8(ascii: "/") {
                // A start tag.
                while !isSpace(at(i)) && at(i) != UInt8(ascii: ">") { i += 1 }
                if at(i) == 0 { return fail("Unclosed start tag at byte offset \(begin)") }
                let tagName = lowercasedString(input[(begin + 1)..<i])
                guard supportedTags.contains(tagName) else {
                    return fail("Unsupported start tag \"\(tagName)\" at byte offset \(begin)")
                }
                var argument: [UInt8] = []
                var expandable = false
                while at(i) != UInt8(ascii: ">") {
                    while at(i) != 0 && isSpace(at(i)) { i += 1 }
                    if at(i) == UInt8(ascii: ">") { break }
                    let attributeBegin = i
                    while !isSpace(at(i)) && at(i) != UInt8(ascii: "=") && at(i) != UInt8(ascii: ">") { i += 1 }
                    let attributeName = String(decoding: input[attributeBegin..<i], as: UTF8.self)
                    if attributeName.isEmpty {
                        return fail("Empty attribute name in the tag \"\(tagName)\" at byte offset \(begin)")
                    }
                    while at(i) != 0 && isSpace(at(i)) { i += 1 }
                    if at(i) != UInt8(ascii: "=") {
                        if tagName == "blockquote" && attributeName == "expandable" {
                            expandable = true
                            continue
                        }
                        return fail("Expected equal sign in declaration of an attribute of the tag \"\(tagName)\" at byte offset \(begin)")
                    }
                    i += 1
                    while at(i) != 0 && isSpace(at(i)) { i += 1 }
                    if at(i) == 0 { return fail("Unclosed start tag \"\(tagName)\" at byte offset \(begin)") }

                    var value: [UInt8] = []
                    if at(i) != UInt8(ascii: "'") && at(i) != UInt8(ascii: "\"") {
                        // A name token: letters, digits, periods, hyphens; case-insensitive.
                        let tokenBegin = i
                        while isAlphanumeric(at(i)) || at(i) == UInt8(ascii: ".") || at(i) == UInt8(ascii: "-") { i += 1 }
                        value = input[tokenBegin..<i].map(lowercasedASCII)
                        if !isSpace(at(i)) && at(i) != UInt8(ascii: ">") {
                            return fail("Unexpected end of name token at byte offset \(tokenBegin)")
                        }
                    } else {
                        let quote = at(i)
                        i += 1
                        while at(i) != quote && at(i) != 0 {
                            if at(i) == UInt8(ascii: "&"), let (code, next) = decodeEntity(input, at: i) {
                                appendUTF8(code, to: &value)
                                i = next
                                continue
                            }
                            value.append(at(i))
                            i += 1
                        }
                        if at(i) == quote { i += 1 }
                    }
                    if at(i) == 0 { return fail("Unclosed start tag at byte offset \(begin)") }

                    if tagName == "a" && attributeName == "href" {
                        argument = value
                    } else if tagName == "code" && attributeName == "class" && value.starts(with: Array("language-".utf8)) {
                        argument = Array(value.dropFirst(9))
                    } else if tagName == "span" && attributeName == "class" && value.starts(with: Array("tg-".utf8)) {
                        argument = Array(value.dropFirst(3))
                    } else if tagName == "tg-emoji" && attributeName == "emoji-id" {
                        argument = value
                    }
                }
                if tagName == "span" && argument != Array("spoiler".utf8) {
                    return fail("Tag \"span\" must have class \"tg-spoiler\" at byte offset \(begin)")
                }
                stack.append(OpenTag(
                    name: tagName, argument: argument, expandable: expandable,
                    utf16Offset: utf16Offset, outputPosition: output.count))
                i += 1  // past '>'
            } else {
                // An end tag.
                guard let open = stack.last else { return fail("Unexpected end tag at byte offset \(begin)") }
                while !isSpace(at(i)) && at(i) != UInt8(ascii: ">") { i += 1 }
                let endTagName = lowercasedString(input[min(begin + 2, i)..<i])
                while isSpace(at(i)) && at(i) != 0 { i += 1 }
                if at(i) != UInt8(ascii: ">") { return fail("Unclosed end tag at byte offset \(begin)") }
                if !endTagName.isEmpty && endTagName != open.name {
                    return fail("Unmatched end tag at byte offset \(begin), expected \"</\(open.name)>\", found \"</\(endTagName)>\"")
                }
                if utf16Offset > open.utf16Offset {
                    let offset = open.utf16Offset
                    let length = utf16Offset - offset
                    switch open.name {
                    case "i", "em": entities.append(TextEntity(type: "italic", offset: offset, length: length))
                    case "b", "strong": entities.append(TextEntity(type: "bold", offset: offset, length: length))
                    case "s", "strike", "del": entities.append(TextEntity(type: "strikethrough", offset: offset, length: length))
                    case "u", "ins": entities.append(TextEntity(type: "underline", offset: offset, length: length))
                    case "tg-spoiler", "span": entities.append(TextEntity(type: "spoiler", offset: offset, length: length))
                    case "tg-emoji":
                        guard let id = Int64(String(decoding: open.argument, as: UTF8.self)), id != 0 else {
                            return fail("Invalid custom emoji identifier specified")
                        }
                        entities.append(TextEntity(type: "custom_emoji", offset: offset, length: length, customEmojiID: String(id)))
                    case "a":
                        var url = String(decoding: open.argument, as: UTF8.self)
                        if url.isEmpty { url = String(decoding: output[open.outputPosition...], as: UTF8.self) }
                        if !url.isEmpty { entities.append(TextEntity(type: "text_link", offset: offset, length: length, url: url)) }
                    case "pre":
                        if let last = entities.last, last.type == "code", last.offset == offset, last.length == length,
                           let language = last.language, !language.isEmpty {
                            entities[entities.count - 1].type = "pre"
                        } else {
                            entities.append(TextEntity(type: "pre", offset: offset, length: length))
                        }
                    case "code":
                        let language = String(decoding: open.argument, as: UTF8.self)
                        if let last = entities.last, last.type == "pre", last.offset == offset, last.length == length, !language.isEmpty {
                            entities[entities.count - 1].language = language
                        } else {
                            entities.append(TextEntity(type: "code", offset: offset, length: length, language: language))
                        }
                    case "blockquote":
                        entities.append(TextEntity(
                            type: open.expandable ? "expandable_blockquote" : "blockquote", offset: offset, length: length))
                    default:
                        break
                    }
                }
                stack.removeLast()
                i += 1  // past '>'
            }
        }
        if let open = stack.last {
            return fail("Can't find end tag corresponding to start tag \"\(open.name)\"")
        }
        if decodedSurrogate {
            return fail("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
        }
        for index in entities.indices where entities[index].type == "code" {
            entities[index].language = nil
        }
        let sorted = entities.enumerated().sorted { lhs, rhs in
            if lhs.element.offset != rhs.element.offset { return lhs.element.offset < rhs.element.offset }
            if lhs.element.length != rhs.element.length { return lhs.element.length > rhs.element.length }
            return lhs.offset < rhs.offset
        }.map(\.element)
        return .success(FormattedText(text: String(decoding: output, as: UTF8.self), entities: sorted))
    }

    /// TDLib's `decode_html_entity`: `&lt; &gt; &amp; &quot;` and numeric references; nil leaves `&` literal.
    static func decodeEntity(_ input: [UInt8], at position: Int) -> (UInt32, Int)? {
        let count = input.count
        func at(_ index: Int) -> UInt8 { index < count ? input[index] : 0 }
        var end = position + 1
        var result: UInt32 = 0
        if at(position + 1) == UInt8(ascii: "#") {
            end += 1
            if at(position + 2) == UInt8(ascii: "x") {
                end += 1
                while let digit = hexValue(at(end)) {
                    result = result &* 16 &+ digit
                    end += 1
                }
            } else {
                while at(end) >= 0x30 && at(end) <= 0x39 {
                    result = result &* 10 &+ UInt32(at(end) - 0x30)
                    end += 1
                }
            }
            if result == 0 || result >= 0x10FFFF || end - position >= 10 { return nil }
        } else {
            while isAlpha(at(end)) { end += 1 }
            switch String(decoding: input[(position + 1)..<end], as: UTF8.self) {
            case "lt": result = 0x3C
            case "gt": result = 0x3E
            case "amp": result = 0x26
            case "quot": result = 0x22
            default: return nil
            }
        }
        return at(end) == UInt8(ascii: ";") ? (result, end + 1) : (result, end)
    }
}

struct ParseFailure: Error, Equatable {
    let message: String
}

@inline(__always) private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C || byte == 0
}

@inline(__always) private func isAlpha(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
}

@inline(__always) private func isAlphanumeric(_ byte: UInt8) -> Bool {
    isAlpha(byte) || (byte >= 0x30 && byte <= 0x39)
}

@inline(__always) func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
}

private func lowercasedString(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.map(lowercasedASCII), as: UTF8.self)
}

/// ASCII whitespace, the characters trimmed from a message text.
@inline(__always) func isTrimmedWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return true
    default: return false
    }
}

/// Trims leading and trailing whitespace and moves the entities with the text
/// (the part of TDLib's `fix_formatted_text` that matters here).
func trimmed(_ formatted: FormattedText) -> FormattedText {
    let scalars = formatted.text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isTrimmedWhitespace($0) }),
          let last = scalars.lastIndex(where: { !isTrimmedWhitespace($0) }) else {
        return FormattedText(text: "", entities: [])
    }
    let leading = scalars.distance(from: scalars.startIndex, to: first)  // whitespace is ASCII: 1 UTF-16 unit each
    let text = String(scalars[first...last])
    if leading == 0 && text.utf8.count == formatted.text.utf8.count { return formatted }
    let length16 = text.utf16.count
    var entities: [TextEntity] = []
    for var entity in formatted.entities {
        let start = max(0, entity.offset - leading)
        let end = min(length16, entity.offset + entity.length - leading)
        guard end > start else { continue }
        entity.offset = start
        entity.length = end - start
        entities.append(entity)
    }
    return FormattedText(text: text, entities: entities)
}
