import Testing
@testable import BaohaoCore

/// The visible UTF-16 length when `html` passes, nil when it does not.
private func length(_ html: String) -> Int? {
    if case .success(let length) = TelegramHTMLCheck.check(html) { return length }
    return nil
}

/// "line L, column C: reason" when `html` fails, nil when it passes.
private func problem(_ html: String) -> String? {
    if case .failure(let problem) = TelegramHTMLCheck.check(html) { return problem.description }
    return nil
}

@Suite struct TelegramHTMLCheckTests {
    // MARK: Accepted

    @Test func plainTextAndTheEmptyStringPass() {
        #expect(length("") == 0)
        #expect(length("plain") == 5)
        #expect(length(" leading and trailing \n") == 23)
        #expect(length("a > b, \"quoted\" and 'single'") == 28)
        #expect(length("a\u{0}b") == 3)
    }

    @Test func everySupportedTagPasses() {
        for name in ["b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "pre", "code", "blockquote"] {
            #expect(length("<\(name)>文字</\(name)>") == 2, "\(name)")
        }
        #expect(length(#"<span class="tg-spoiler">x</span>"#) == 1)
        #expect(length("<span class=tg-spoiler>x</span>") == 1)
        #expect(length("<span class=TG-SPOILER>x</span>") == 1, "a bare value is lower-cased")
        #expect(length(#"<span class="other" class="tg-spoiler" class="plain">x</span>"#) == 1, "classes without tg- are ignored")
        #expect(length(#"<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>"#) == 2)
        #expect(length("<tg-emoji emoji-id=-12>👍</tg-emoji>") == 2)
        #expect(length(#"<tg-emoji emoji-id="&#49;2">👍</tg-emoji>"#) == 2, "entities are decoded in values")
        #expect(length(#"<tg-emoji emoji-id="nope"></tg-emoji>"#) == 0, "an empty custom emoji is not looked at")
        #expect(length(#"<pre><code class="language-swift">let x = 1</code></pre>"#) == 9)
        #expect(length(#"<pre language="x">y</pre>"#) == 1, "unknown attributes are ignored")
        #expect(length("<blockquote expandable>q</blockquote>") == 1)
        #expect(length("<blockquote  expandable  class='x'>q</blockquote>") == 1)
        #expect(length(#"<a href="https://t.me/x">link</a>"#) == 4)
        #expect(length("<a href='https://t.me/?a=1&amp;b=2'>x</a>") == 1)
        #expect(length(#"<a href="https://t.me/?a=1&b=2">x</a>"#) == 1, "a lone & in a value is itself")
        #expect(length("<a href=t.me>x</a>") == 1)
        #expect(length(#"<a href="https://t.me"title="x">y</a>"#) == 1, "no space is needed after a quoted value")
    }

    @Test func tagNamesAnyCaseAndSpacesInsideTagsPass() {
        #expect(length("<B>x</b>") == 1)
        #expect(length("<I>x</I >") == 1)
        #expect(length("<b\n>x</b\t>") == 1)
        #expect(length(#"<b title="x" data-y='z'>x</b>"#) == 1)
    }

    @Test func nestingIsFreeAndAnEmptyEndTagClosesTheInnermost() {
        #expect(length("<b><i><u>x</u></i></b>") == 1)
        #expect(length("<b><b>x</b></b>") == 1)
        #expect(length("<pre><b>x</b></pre>") == 1)
        #expect(length("<b>x</>") == 1)
        #expect(length("<b><i>x</ ></>") == 1)
    }

    @Test func entitiesDecodeAsTelegramDecodesThem() {
        #expect(length("&lt;&gt;&amp;&quot;") == 4)
        #expect(length("&lt &amp") == 3, "the semicolon is optional")
        #expect(length("&lt1;") == 3, "<1;")
        #expect(length("&#60;&#x3C;&#65") == 3)
        #expect(length("&#x1F44D;&#128077;") == 4, "outside the BMP: two units each")
        #expect(length("&#0000065;") == 1)
        #expect(length("&#x10FFFE;") == 2)
        #expect(length("a & b") == 5)
        #expect(length("&") == 1)
        #expect(length("&;") == 2)
        #expect(length("&#;") == 3)
        #expect(length("&#x;") == 4)
        #expect(length("R&D and AT&T") == 12)
        #expect(length("&amp;nbsp;") == 6, "an escaped entity shows as typed")
    }

    @Test func lengthsCountUTF16CodeUnits() {
        #expect(length("👍") == 2)
        #expect(length("<b>👍</b>") == 2)
        #expect(length("👨‍👩‍👧") == 8, "three emoji and two joiners")
        #expect(length("🇭🇰") == 4)
        #expect(length("e\u{301}") == 2, "a letter and its combining mark")
        #expect(length("中文繁體保號卡") == 7)
        #expect(length("𠀀") == 2, "CJK extension B is outside the BMP")
        #expect(length("ｆｕｌｌ") == 4)
        #expect(length("a\r\nb") == 4)
    }

    // MARK: Refused

    @Test func unsupportedTagsAndLiteralAngleBrackets() {
        #expect(problem("<div>x</div>") == "line 1, column 1: unsupported tag <div>")
        #expect(problem("x <P>y") == "line 1, column 3: unsupported tag <P>")
        #expect(problem("<b/>") == "line 1, column 1: unsupported tag <b/>")
        #expect(problem("a < b") == "line 1, column 3: '<' must be written &lt;")
        #expect(problem("1<2") == "line 1, column 2: '<' must be written &lt;")
        #expect(problem("x<y") == "line 1, column 2: '<' must be written &lt;")
        #expect(problem("<>") == "line 1, column 1: '<' must be written &lt;")
        #expect(problem("<") == "line 1, column 1: '<' must be written &lt;")
        #expect(problem("<b>x</ b></b>") == "line 1, column 5: '<' must be written &lt;")
    }

    @Test func unfinishedAndUnclosedTags() {
        #expect(problem("x <b") == "line 1, column 3: tag <b> is missing its '>'")
        #expect(problem("<b title='x'") == "line 1, column 1: tag <b> is missing its '>'")
        #expect(problem("<blockquote expandable") == "line 1, column 1: tag <blockquote> is missing its '>'")
        #expect(problem("<b>x") == "line 1, column 1: tag <b> is not closed")
        #expect(problem("<b>x<I>y") == "line 1, column 5: tag <I> is not closed")
        #expect(problem("<b\u{0}>x</b>") == "line 1, column 3: tag <b> contains a NUL character")
        #expect(problem("<b>x</b") == "line 1, column 5: closing tag </b> is missing its '>'")
        #expect(problem("<b>x</b y>") == "line 1, column 9: closing tag </b> cannot have attributes")
        #expect(problem("<b>x</b\u{0}>") == "line 1, column 8: closing tag </b> contains a NUL character")
    }

    @Test func endTagsMustMatch() {
        #expect(problem("<b><i>x</b></i>") == "line 1, column 8: closing tag </b> does not match the open <i>")
        #expect(problem("<B>x</strong>") == "line 1, column 5: closing tag </strong> does not match the open <B>")
        #expect(problem("x</b>") == "line 1, column 2: closing tag </b> has no open tag")
        #expect(problem("<b>x</b></>") == "line 1, column 9: closing tag </> has no open tag")
    }

    @Test func attributes() {
        #expect(problem("<b x>y</b>") == "line 1, column 4: attribute x of tag <b> needs a value")
        #expect(problem("<blockquote EXPANDABLE>q</blockquote>") == "line 1, column 13: attribute EXPANDABLE of tag <blockquote> needs a value")
        #expect(problem("<b =x>y</b>") == "line 1, column 4: attribute without a name in tag <b>")
        #expect(problem("<a href=https://t.me>x</a>") == "line 1, column 9: the value of href in tag <a> must be in quotes")
        #expect(problem(#"<a href="https://t.me>x</a>"#) == "line 1, column 9: the value of href in tag <a> has no closing quote")
        #expect(problem("<span>x</span>") == #"line 1, column 1: tag <span> needs class="tg-spoiler""#)
        #expect(problem(#"<span class="TG-SPOILER">x</span>"#) == #"line 1, column 1: tag <span> needs class="tg-spoiler""#)
        #expect(problem(#"<span class="tg-spoiler" class="tg-x">x</span>"#) == #"line 1, column 1: tag <span> needs class="tg-spoiler""#)
        #expect(problem(#"x <tg-emoji emoji-id="abc">👍</tg-emoji>"#) == "line 1, column 3: tag <tg-emoji> needs a non-zero numeric emoji-id")
        #expect(problem("<tg-emoji emoji-id=0>👍</tg-emoji>") == "line 1, column 1: tag <tg-emoji> needs a non-zero numeric emoji-id")
        #expect(problem("<tg-emoji>👍</tg-emoji>") == "line 1, column 1: tag <tg-emoji> needs a non-zero numeric emoji-id")
        #expect(problem(#"<tg-emoji emoji-id="99999999999999999999">👍</tg-emoji>"#) == "line 1, column 1: tag <tg-emoji> needs a non-zero numeric emoji-id")
    }

    @Test func entitiesThatWouldShowAsTyped() {
        // Stricter than Telegram, which would show these as typed.
        #expect(problem("a&nbsp;b") == "line 1, column 2: unknown entity &nbsp; (use &amp;nbsp; or the character itself)")
        #expect(problem("&AMP;") == "line 1, column 1: unknown entity &AMP; (use &amp;AMP; or the character itself)")
        #expect(problem("&frac12;") == "line 1, column 1: unknown entity &frac12; (use &amp;frac12; or the character itself)")
        #expect(problem("&#0;") == "line 1, column 1: invalid character reference &#0; (use &amp;#0; or the character itself)")
        #expect(problem("&#X41;") == "line 1, column 1: invalid character reference &#X41; (use &amp;#X41; or the character itself)")
        #expect(problem("&#x110000;") == "line 1, column 1: invalid character reference &#x110000; (use &amp;#x110000; or the character itself)")
        #expect(problem("&#00000065;") == "line 1, column 1: invalid character reference &#00000065; (use &amp;#00000065; or the character itself)")
        #expect(problem(#"<a href="x&nbsp;y">t</a>"#) == "line 1, column 11: unknown entity &nbsp; (use &amp;nbsp; or the character itself)")
        // Refused by Telegram too.
        #expect(problem("x&#xD800;") == "line 1, column 2: &#xD800; is half of a UTF-16 surrogate pair, not a character")
        #expect(problem("&#57343") == "line 1, column 1: &#57343 is half of a UTF-16 surrogate pair, not a character")
    }

    @Test func linksNeedAnAddress() {
        // Stricter than Telegram, which would link the text to itself.
        #expect(problem("<a>x</a>") == "line 1, column 1: tag <a> needs an href")
        #expect(problem(#"see <a href="">x</a>"#) == "line 1, column 5: tag <a> needs an href")
        #expect(problem(#"<A HREF="https://t.me">x</a>"#) == "line 1, column 1: tag <A> needs an href")
        #expect(problem(#"<a href="https://t.me" href="">x</a>"#) == "line 1, column 1: tag <a> needs an href")
    }

    @Test func linesAndColumnsCountCharacters() {
        #expect(problem("line one\n二行目 <p>") == "line 2, column 5: unsupported tag <p>")
        #expect(problem("👍👍 <x>") == "line 1, column 4: unsupported tag <x>")
        #expect(problem("e\u{301}e\u{301} <x>") == "line 1, column 4: unsupported tag <x>")
        #expect(problem("👨‍👩‍👧🇭🇰<x>") == "line 1, column 3: unsupported tag <x>")
        #expect(problem("a\r\nb<x>") == "line 2, column 2: unsupported tag <x>")
        #expect(problem("\n\n\n<b>") == "line 4, column 1: tag <b> is not closed")
        #expect(problem("<div>&nbsp;") == "line 1, column 1: unsupported tag <div>", "the first problem is reported")
    }

    @Test func theProblemCarriesItsParts() {
        guard case .failure(let problem) = TelegramHTMLCheck.check("ok\n<b>x</i>") else {
            Issue.record("expected a problem")
            return
        }
        #expect(problem.line == 2)
        #expect(problem.column == 5)
        #expect(problem.reason == "closing tag </i> does not match the open <b>")
        #expect(problem == TelegramHTMLCheck.Problem(line: 2, column: 5, reason: "closing tag </i> does not match the open <b>"))
    }

    // MARK: Size

    @Test func longInputsAreCheckedInOnePass() {
        let unit = "<b>粗体</b> text &amp; 👍\n"  // 30 bytes, 13 UTF-16 units
        let long = String(repeating: unit, count: 7000)
        #expect(long.utf8.count == 210_000)
        #expect(length(long) == 91_000)
        #expect(problem(long + "&nbsp;") == "line 7001, column 1: unknown entity &nbsp; (use &amp;nbsp; or the character itself)")
        #expect(problem(String(repeating: "&", count: 200_000) + "<") == "line 1, column 200001: '<' must be written &lt;")
        let deep = String(repeating: "<b>", count: 50_000) + "x" + String(repeating: "</b>", count: 50_000)
        #expect(length(deep) == 1)
        #expect(problem(String(repeating: "<i>", count: 50_000)) == "line 1, column 149998: tag <i> is not closed")
        #expect(length("&#" + String(repeating: "1", count: 100_000)) == 100_002)
    }
}
