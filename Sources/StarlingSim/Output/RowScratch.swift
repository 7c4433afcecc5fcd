/// The bytes of the row being written, in a raw buffer that is reused for every row and grows only
/// when a row is larger than any before it. Writing a field is a bounds check and a copy, not an
/// `Array.append` per piece (each of which checks uniqueness and capacity); the finished row goes to
/// the encoder's output in one copy. It also keeps the text of the last timestamp written, since
/// consecutive events mostly share their second.
///
/// A value type, so its fields need no runtime exclusivity checks (a class's stored properties
/// would, on every byte); `storage` owns the memory. Copies share it: an encoder holds one and
/// writes one row at a time through `inout`, never two copies at once.
@usableFromInline struct RowScratch {
    @usableFromInline final class Storage {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>

        init(capacity: Int) { base = .allocate(capacity: capacity) }

        deinit { base.deallocate() }
    }

    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0
    @usableFromInline var cachedSecond = Int64.min
    /// The day (Unix seconds / 86 400, rounded down) whose date `cachedTimestamp` holds.
    @usableFromInline var cachedDay = Int64.min
    /// `YYYY-MM-DD HH:MM:SS` of `cachedSecond` (19 of its 24 bytes).
    @usableFromInline var cachedTimestamp: (UInt64, UInt64, UInt64) = (0, 0, 0)
    @usableFromInline let storage: Storage

    @usableFromInline init(capacity: Int = 4096) {
        self.capacity = capacity
        storage = Storage(capacity: capacity)
        base = storage.base
    }

    @inlinable @inline(__always)
    mutating func reserve(_ bytes: Int) {
        if count + bytes > capacity { grow(bytes) }
    }

    @inline(never) @usableFromInline
    mutating func grow(_ bytes: Int) {
        let larger = max(capacity * 2, count + bytes)
        let replacement = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        replacement.update(from: base, count: count)
        storage.base.deallocate()
        storage.base = replacement
        base = replacement
        capacity = larger
    }

    // The `put` functions need the room reserved before.

    @inlinable @inline(__always)
    mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }

    /// Reserves and writes a decimal integer (at most 20 bytes).
    @inlinable
    mutating func putDecimal(_ value: Int) {
        reserve(20)
        if value < 0 { put(UInt8(ascii: "-")) }
        putDecimal(magnitude: value.magnitude)
    }

    /// A decimal of at most 20 digits; room reserved.
    @inlinable
    mutating func putDecimal(magnitude value: UInt) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var rest = value
        var index = count + digits - 1
        repeat {
            base[index] = 48 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
        count += digits
    }

    @inlinable @inline(__always)
    mutating func putTwoDigits(_ value: Int) {
        base[count] = 48 &+ UInt8(truncatingIfNeeded: value / 10)
        base[count + 1] = 48 &+ UInt8(truncatingIfNeeded: value % 10)
        count += 2
    }

    /// Reserves and writes `YYYY-MM-DD HH:MM:SS` (UTC), from the cache when the second repeats.
    /// Another second of the same day rewrites only `HH:MM:SS`: at a few events per simulated
    /// second most events start a new second, and the calendar arithmetic was most of their cost.
    @inlinable
    mutating func putTimestamp(_ epochSeconds: Int64) {
        reserve(19)
        if epochSeconds != cachedSecond {
            // The day as `CivilTime` computes it (rounded down, also before 1970).
            let day = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
            if day == cachedDay { cacheTimeOfDay(Int(epochSeconds - day * 86_400)) } else { cacheTimestamp(epochSeconds) }
            cachedSecond = epochSeconds
        }
        let target = base + count
        withUnsafeBytes(of: cachedTimestamp) { target.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 19) }
        count += 19
    }

    /// Rewrites `HH:MM:SS` of the cached text for `secondOfDay` (0..<86 400); the date stays.
    @inlinable @inline(__always)
    mutating func cacheTimeOfDay(_ secondOfDay: Int) {
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        withUnsafeMutableBytes(of: &cachedTimestamp) { text in
            text[11] = 48 &+ UInt8(truncatingIfNeeded: hour / 10)
            text[12] = 48 &+ UInt8(truncatingIfNeeded: hour % 10)
            text[14] = 48 &+ UInt8(truncatingIfNeeded: minute / 10)
            text[15] = 48 &+ UInt8(truncatingIfNeeded: minute % 10)
            text[17] = 48 &+ UInt8(truncatingIfNeeded: second / 10)
            text[18] = 48 &+ UInt8(truncatingIfNeeded: second % 10)
        }
    }

    /// The whole text of `epochSeconds`, through `CivilTime`; remembers its day.
    @inline(never) @usableFromInline
    mutating func cacheTimestamp(_ epochSeconds: Int64) {
        let t = CivilTime(epochSeconds: epochSeconds)
        cachedDay = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        withUnsafeMutableBytes(of: &cachedTimestamp) { text in
            // Pairs of digits, always 19 bytes (a year past 9999 writes other bytes, never more).
            func pair(_ value: Int, at index: Int) {
                text[index] = 48 &+ UInt8(truncatingIfNeeded: value / 10)
                text[index + 1] = 48 &+ UInt8(truncatingIfNeeded: value % 10)
            }
            pair(t.year / 100, at: 0)
            pair(t.year % 100, at: 2)
            pair(t.month, at: 5)
            pair(t.day, at: 8)
            pair(t.hour, at: 11)
            pair(t.minute, at: 14)
            pair(t.second, at: 17)
            text[4] = UInt8(ascii: "-")
            text[7] = UInt8(ascii: "-")
            text[10] = UInt8(ascii: " ")
            text[13] = UInt8(ascii: ":")
            text[16] = UInt8(ascii: ":")
        }
    }

    /// Reserves and writes an amount with exactly two fraction digits, rounded half away from zero.
    @inlinable
    mutating func putDecimal2(_ value: Double) {
        reserve(24)
        let cents = Int((value * 100).rounded(.toNearestOrAwayFromZero))
        if cents < 0 { put(UInt8(ascii: "-")) }
        let magnitude = cents.magnitude
        putDecimal(magnitude: magnitude / 100)
        put(UInt8(ascii: "."))
        putTwoDigits(Int(magnitude % 100))
    }

    /// Appends the row to `output` and starts the next one.
    @inlinable
    mutating func flush(into output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
    }
}

/// Whether a string's bytes can be written as they are, tested eight bytes at a time (SWAR): most
/// values (ids, URLs, categories) are clean, and a byte-by-byte scan was a tenth of generation.
@usableFromInline enum CleanBytes {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Some byte of `word` is zero (exact, no false positives).
    @inlinable @inline(__always)
    static func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }

    /// Some byte of `word` equals `byte`.
    @inlinable @inline(__always)
    static func has(_ word: UInt64, _ byte: UInt8) -> Bool { hasZero(word ^ (ones &* UInt64(byte))) }

    /// Some byte of `word` is below `bound` (≤ 128; exact).
    @inlinable @inline(__always)
    static func hasBelow(_ word: UInt64, _ bound: UInt8) -> Bool { (word &- ones &* UInt64(bound)) & ~word & highs != 0 }

    /// No control character, `"` or `\` (nothing JSON must escape).
    @inlinable
    static func json(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        none(of: bytes, word: { hasBelow($0, 0x20) || has($0, UInt8(ascii: "\"")) || has($0, UInt8(ascii: "\\")) },
             byte: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
    }

    /// No comma, `"`, LF or CR (nothing that makes a CSV field need quotes).
    @inlinable
    static func csv(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        none(of: bytes, word: { has($0, UInt8(ascii: ",")) || has($0, UInt8(ascii: "\"")) || has($0, 0x0A) || has($0, 0x0D) },
             byte: CSVEncoder.needsQuoting)
    }

    /// True when no eight-byte word of `bytes` matches `word` and no byte of the tail matches `byte`
    /// (the two tests must agree on what they look for).
    @inlinable @inline(__always)
    static func none(of bytes: UnsafeBufferPointer<UInt8>, word: (UInt64) -> Bool, byte: (UInt8) -> Bool) -> Bool {
        guard let start = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(start)
        var offset = 0
        while offset + 8 <= bytes.count {
            if word(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) { return false }
            offset += 8
        }
        while offset < bytes.count {
            if byte(bytes[offset]) { return false }
            offset += 1
        }
        return true
    }
}
