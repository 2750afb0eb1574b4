/// A one-to-one character mapping (traditional → simplified), fast for the CJK blocks.
public struct CharacterMap: Sendable {
    private static let denseRange: Range<UInt32> = 0x3400..<0xA000
    private var dense: [UInt32]
    private var sparse: [UInt32: UInt32] = [:]

    /// An empty map.
    public init() {
        dense = Array(repeating: 0, count: Self.denseRange.count)
    }

    /// Parses `TRADITIONAL<TAB>SIMPLIFIED` lines (`#` comments and blank lines skipped).
    /// Fails naming the line when a side is not exactly one character.
    public init(tsv text: String, source: String) throws(UnderstandingDataError) {
        self.init()
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, fields[0].unicodeScalars.count == 1, fields[1].unicodeScalars.count == 1 else {
                throw UnderstandingDataError(file: source, entry: "line \(lineNumber)", field: "", reason: "expected one character, a tab, then one character")
            }
            set(fields[0].unicodeScalars.first!.value, fields[1].unicodeScalars.first!.value)
        }
    }

    /// Maps `from` to `to`.
    public mutating func set(_ from: UInt32, _ to: UInt32) {
        if Self.denseRange.contains(from) {
            dense[Int(from - Self.denseRange.lowerBound)] = to
        } else {
            sparse[from] = to
        }
    }

    /// The mapped character, or `scalar` itself when there is no mapping.
    @inline(__always)
    public func map(_ scalar: UInt32) -> UInt32 {
        if Self.denseRange.contains(scalar) {
            let mapped = dense[Int(scalar - Self.denseRange.lowerBound)]
            return mapped == 0 ? scalar : mapped
        }
        if sparse.isEmpty { return scalar }
        return sparse[scalar] ?? scalar
    }

    /// Number of characters that differ after mapping.
    public var count: Int { dense.lazy.filter { $0 != 0 }.count + sparse.count }
}
