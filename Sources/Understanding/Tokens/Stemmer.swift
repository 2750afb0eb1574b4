/// A light English stemmer: enough to join renew/renews/renewed/renewing/renewal and
/// cancel/cancelled/cancellation, without a dictionary. Works on lower-case ASCII bytes.
enum Stemmer {
    private static let vowels: [UInt8] = Array("aeiou".utf8)

    static func stem(_ word: [UInt8]) -> [UInt8] {
        var w = word
        stem(&w)
        return w
    }

    /// Stems `w` in place.
    static func stem(_ w: inout [UInt8]) {
        guard w.count > 3 else { return }
        @inline(__always) func ends(_ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard w.count > n else { return false }
            let base = suffix.utf8Start
            for k in 0..<n where w[w.count - n + k] != base[k] { return false }
            return true
        }
        @inline(__always) func undouble() {
            // topping → topp → top; cancelled → cancell → cancel (but not "ss", "zz")
            let n = w.count
            if n >= 3, w[n - 1] == w[n - 2], !vowels.contains(w[n - 1]), w[n - 1] != UInt8(ascii: "s"), w[n - 1] != UInt8(ascii: "z") {
                w.removeLast()
            }
        }
        if ends("'s") { w.removeLast(2) }
        if ends("sses") { w.removeLast(2) } else if ends("ies") && w.count > 4 { w.removeLast(3); w.append(UInt8(ascii: "y")) }
        else if ends("ches") || ends("shes") || ends("xes") { w.removeLast(2) }
        else if ends("s") && !ends("ss") && !ends("us") && !ends("is") && w.count > 3 { w.removeLast() }
        if ends("ation") && w.count > 7 { w.removeLast(5); undouble() }
        else if ends("ment") && w.count > 6 { w.removeLast(4) }
        else if ends("ing") && w.count > 5 { w.removeLast(3); undouble() }
        else if ends("ed") && w.count > 4 { w.removeLast(2); undouble() }
        else if ends("al") && w.count > 6 { w.removeLast(2) }
        else if ends("ly") && w.count > 5 { w.removeLast(2) }
    }
}
