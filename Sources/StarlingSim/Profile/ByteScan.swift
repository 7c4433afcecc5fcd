/// `memcmp(a, b, count) == 0`, without importing the C library into a pure module.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
    while i + 8 <= count {
        if rawA.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rawB.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// Finding bytes 8 at a time (SWAR: a word's bytes equal to `b` are its zero bytes after `^ b·0x01…01`).
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each zero byte of `word` (exact for the lowest one, which is all we read).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    /// The first index in `from..<end` of `a` or `b` (pass the same byte twice for one), or `end`.
    @inline(__always)
    static func first(_ a: UInt8, or b: UInt8, in buffer: UnsafeMutableBufferPointer<UInt8>, from: Int, end: Int) -> Int {
        guard let base = buffer.baseAddress else { return end }
        let raw = UnsafeRawPointer(base)
        let (patternA, patternB) = (ones &* UInt64(a), ones &* UInt64(b))
        var i = from
        while i + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let hits = zeroBytes(word ^ patternA) | zeroBytes(word ^ patternB)
            if hits != 0 { return i + hits.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < end, base[i] != a, base[i] != b { i += 1 }
        return i
    }
}
