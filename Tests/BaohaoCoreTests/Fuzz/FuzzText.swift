import TestSupport

/// Random customer-like text for property tests: every script and oddity customers send.
enum FuzzText {
    static let pieces: [String] = [
        "余额", "續費", "點樣", "嘅", "保号卡", "csl", "Ultra", "giffgaff", "HK", "us", "美国", "renew", "cancel", "balance", "？", "?", "!", "。", "，",
        " ", "  ", "\u{3000}", "\u{00A0}", "\t", "\n", "\r\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{202E}", "e\u{301}",
        "\u{301}", "👍", "👨‍👩‍👧", "🇭🇰", "🏳️‍🌈", "１２３", "ＡＢＣ", "+852 9123 4567", "(310) 555-0117", "+44 7700 900123", "07700900123", "91234567",
        "+1-310-555-0117", "0", "99999999999999999999", "-1", "1e9", "$4.50", "HK$88", "£10", "30天", "三个月", "12/25", "2026-11-22", "/start", "/faq",
        "<b>", "</b>", "<script>", "&amp;", "&", "<", ">", "\"", "'", "';", "--", "%", "_", "\\", "OR 1=1", "DROP TABLE lines", "ٱلْعَرَبِيَّة", "עברית",
        "ไทย", "한국어", "日本語", "ℌ", "ﬁ", "İ", "ß", "Σ", "a", "Z",
    ]

    static func text(_ generator: inout SeededGenerator, maxPieces: Int = 12) -> String {
        (0..<Int(generator.next() % UInt64(maxPieces + 1))).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
    }
}
