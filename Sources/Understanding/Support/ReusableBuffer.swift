extension Array where Element: BitwiseCopyable {
    /// Replaces the contents with the `n` elements `body` writes from the start of a buffer
    /// of `capacity` elements (`body` returns `n`, at most `capacity`). The array's storage is
    /// reused when it is already big enough, so a buffer kept across calls stops allocating
    /// once it has grown: allocation is what dominates tokenizing thousands of short texts.
    @inline(__always)
    mutating func overwrite(capacity: Int, filler: Element, _ body: (UnsafeMutablePointer<Element>) -> Int) {
        if count < capacity { append(contentsOf: repeatElement(filler, count: capacity - count)) }
        let written = withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        precondition(written >= 0 && written <= capacity, "overwrite: wrote \(written) of at most \(capacity) elements")
        removeLast(count - written)
    }
}
