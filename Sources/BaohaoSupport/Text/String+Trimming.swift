extension StringProtocol {
    /// Without leading and trailing whitespace and line breaks (any Unicode whitespace).
    public var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
