/// A fuzz input read from the front as values, the way libFuzzer's FuzzedDataProvider reads one:
/// a harness that builds a structured value (a button payload, a split limit) from the bytes
/// draws its choices here, so that every input, however short, gives some value and mutating a
/// byte changes one choice. An exhausted input reads as zeros.
public struct FuzzBytes {
    private var bytes: ArraySlice<UInt8>

    /// The `size` bytes at `data`.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))[...]
    }

    /// Whether every byte has been read.
    public var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, 0 when none is left.
    public mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// A coin toss.
    public mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A number in `range`, from as few bytes as its width needs.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound))
        var value: UInt64 = 0, read: UInt64 = 0
        while read < width {
            value = value << 8 | UInt64(byte())
            read = read << 8 | 0xFF
        }
        let offset = width == UInt64.max ? value : value % (width + 1)
        return Int(Int64(range.lowerBound) &+ Int64(bitPattern: offset))
    }

    /// Any 64-bit number (eight bytes).
    public mutating func int64() -> Int64 { Int64(int(in: Int.min...Int.max)) }

    /// One of `options`, which must not be empty.
    public mutating func pick<T>(_ options: [T]) -> T { options[int(in: 0...(options.count - 1))] }

    /// A text of 0 to `maximumLength` scalars, each one of `alphabet`.
    public mutating func text(maximumLength: Int, from alphabet: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        for _ in 0..<int(in: 0...maximumLength) { view.append(pick(alphabet)) }
        return String(view)
    }

    /// Every byte not read yet; the input is then empty.
    public mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}
