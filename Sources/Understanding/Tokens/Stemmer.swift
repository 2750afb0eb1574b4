/// A light English stemmer: enough to join renew/renews/renewed/renewing/renewal and
/// cancel/cancelled/cancellation, without a dictionary. Works on lower-case ASCII bytes.
enum Stemmer {
    static func stem(_ word: [UInt8]) -> [UInt8] {
        var w = word
        guard w.count > 3 else { return w }
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.utf8)
            return w.count > s.count && w.suffix(s.count).elementsEqual(s)
        }
        func drop(_ n: Int) { w.removeLast(n) }
        func undouble() {
            // topping → topp → top; cancelled → cancell → cancel
            if w.count >= 3, w[w.count - 1] == w[w.count - 2], !"lsz".utf8.contains(w[w.count - 1]) || w[w.count - 1] == UInt8(ascii: "l") {
                if !isVowel(w[w.count - 1]) { drop(1) }
            }
        }
        if ends("'s") { drop(2) }
        if ends("sses") { drop(2) } else if ends("ies") && w.count > 4 { drop(3); w.append(UInt8(ascii: "y")) }
        else if ends("ches") || ends("shes") || ends("xes") { drop(2) }
        else if ends("s") && !ends("ss") && !ends("us") && !ends("is") && w.count > 3 { drop(1) }
        if ends("ation") && w.count > 7 { drop(5); undouble() }
        else if ends("ment") && w.count > 6 { drop(4) }
        else if ends("ing") && w.count > 5 { drop(3); undouble() }
        else if ends("ed") && w.count > 4 { drop(2); undouble() }
        else if ends("al") && w.count > 6 { drop(2) }
        else if ends("ly") && w.count > 5 { drop(2) }
        return w
    }

    private static func isVowel(_ b: UInt8) -> Bool { "aeiou".utf8.contains(b) }
}
