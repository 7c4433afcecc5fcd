/// Bytes written by hand into a raw buffer that grows (doubling) only when it is full: an encoder's
/// output, rows one after another, or a scratch for a fragment. Writing a field is a bounds check and
/// a copy, not an `Array.append` per piece (each of which checks uniqueness and capacity), and a row
/// is written where it stays (writing it aside and appending it was a tenth of generation). It also
/// keeps the text of the last timestamp written, since consecutive events mostly share their second.
///
/// A value type, so its fields need no runtime exclusivity checks (a class's stored properties
/// would, on every byte); `storage` owns the memory. Copies share it until one of them calls
/// `makeUnique()`, which the encoders do once per row: an encoder is then a value like an array
/// (a copy written to leaves the original as it was), without a uniqueness check per byte.
@usableFromInline struct RowScratch {
    @usableFromInline final class Storage {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>

        @usableFromInline init(capacity: Int) { base = .allocate(capacity: capacity) }

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
    /// The `SS` of `cachedTimestamp`.
    @usableFromInline var cachedSecondOfMinute = 0
    /// The last value written by `putRepeatedDecimal` and its text (24 bytes, `repeatedCount` of
    /// them used; 0: none yet).
    @usableFromInline var repeatedValue = UInt.max
    @usableFromInline var repeatedText: (UInt64, UInt64, UInt64) = (0, 0, 0)
    @usableFromInline var repeatedCount = 0
    @usableFromInline var storage: Storage

    @usableFromInline init(capacity: Int = 4096) {
        self.capacity = capacity
        storage = Storage(capacity: capacity)
        base = storage.base
    }

    /// The bytes written, valid only inside `body`.
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes written (a copy that shares them keeps them).
    mutating func removeAll() {
        makeUnique()
        count = 0
    }

    /// Appends `raw` whole (a CSV header).
    mutating func append(raw: some Collection<UInt8>) {
        makeUnique()
        reserve(raw.count)
        for byte in raw { put(byte) }
    }

    /// Gives this copy bytes of its own when another copy shares them.
    @inlinable @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { detach() }
    }

    @inline(never) @usableFromInline
    mutating func detach() {
        let copy = Storage(capacity: capacity)
        copy.base.update(from: base, count: count)
        storage = copy
        base = copy.base
    }

    @inlinable @inline(__always)
    mutating func reserve(_ bytes: Int) {
        if count &+ bytes > capacity { grow(bytes) }
    }

    /// Room for `bytes` more, in memory of this copy's own: a buffer no other copy shares is moved
    /// to a larger one and freed; a shared one is left to the copies that share it (freeing it left
    /// them pointing at freed memory when a copy grew before its first `makeUnique`).
    @inline(never) @usableFromInline
    mutating func grow(_ bytes: Int) {
        let larger = max(capacity * 2, count + bytes)
        if isKnownUniquelyReferenced(&storage) {
            let replacement = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
            replacement.update(from: base, count: count)
            storage.base.deallocate()
            storage.base = replacement
        } else {
            let own = Storage(capacity: larger)
            own.base.update(from: base, count: count)
            storage = own
        }
        base = storage.base
        capacity = larger
    }

    // The `put` functions need the room reserved before. Their arithmetic wraps (`&+`): counts stay
    // far below `Int.max` (the room was reserved), and an overflow check per byte written is not free.

    @inlinable @inline(__always)
    mutating func put(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }

    @inlinable @inline(__always)
    mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        Self.copy(to: base + count, from: start, count: bytes.count)
        count &+= bytes.count
    }

    /// Copies `count` bytes between two buffers that do not overlap. Most pieces of a row (a key, an
    /// id, a pre-encoded field) are short, and a call to `memmove` for each was a sixth of
    /// generation: up to 256 bytes are copied inline as 16-byte blocks (8-byte words below 16), the last
    /// one ending at the range's end (it may overlap the one before), so every length is covered
    /// without a byte loop. Blocks, not words: URLs and JSON fragments are mostly 30-90 bytes.
    @inlinable @inline(__always)
    static func copy(to target: UnsafeMutablePointer<UInt8>, from source: UnsafePointer<UInt8>, count: Int) {
        let to = UnsafeMutableRawPointer(target), from = UnsafeRawPointer(source)
        @inline(__always) func word(_ offset: Int) {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
        }
        @inline(__always) func block(_ offset: Int) {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), toByteOffset: offset, as: SIMD16<UInt8>.self)
        }
        switch count {
        case 16...256:
            var offset = 0
            while offset < count &- 16 {
                block(offset)
                offset &+= 16
            }
            block(count &- 16)
        case 8..<16:
            word(0)
            word(count &- 8)
        case 4..<8:
            let (a, b) = (from.loadUnaligned(as: UInt32.self), from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            to.storeBytes(of: a, as: UInt32.self)
            to.storeBytes(of: b, toByteOffset: count &- 4, as: UInt32.self)
        case 0..<4:
            for i in 0..<count { target[i] = source[i] }
        default:
            target.update(from: source, count: count)
        }
    }

    /// Copies `count` bytes in whole 16-byte blocks, and at least `span` bytes (a multiple of 16):
    /// bytes past the end are read from `source` and written to `target` (both must have the room,
    /// `FieldValues.room`; the bytes written past `count` are overwritten by what follows). Shorter
    /// than `copy` for pre-encoded fields: no case per length, and with `span` at least `count`, the
    /// same number of blocks for every value of a column.
    @inlinable @inline(__always)
    static func copyBlocks(to target: UnsafeMutablePointer<UInt8>, from source: UnsafePointer<UInt8>, count: Int, span: Int) {
        let to = UnsafeMutableRawPointer(target), from = UnsafeRawPointer(source)
        let end = max(count, span)
        var offset = 0
        repeat {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), toByteOffset: offset, as: SIMD16<UInt8>.self)
            offset &+= 16
        } while offset < end
    }

    /// Reserves and writes a decimal integer (at most 20 bytes).
    @inlinable
    mutating func putDecimal(_ value: Int) {
        reserve(20)
        if value < 0 { put(UInt8(ascii: "-")) }
        putDecimal(magnitude: value.magnitude)
    }

    /// A decimal of at most 20 digits; room reserved. Below 100 (positions, steps, quantities) in
    /// two bytes (`putSmall`); other numbers of up to eight digits (ids, durations) without a
    /// branch on their length (`putEightDigits`); longer ones digit pair by digit pair. Inlined, so
    /// that each field has its own test for below 100: a field whose numbers are all small, or all
    /// large, never mispredicts it.
    @inlinable @inline(__always)
    mutating func putDecimal(magnitude value: UInt) {
        if value < 100 { return putSmall(Int(truncatingIfNeeded: value)) }
        if value < 100_000_000 { return putEightDigits(UInt32(truncatingIfNeeded: value)) }
        putDigits(value)
    }

    /// 0...99: one or two bytes, with no branch on which: both bytes of its pair are written, from
    /// one byte further for a single digit (`0d`: its `d`, then a byte that what follows
    /// overwrites), and the count moves by one or two. Room for 2 bytes reserved.
    @inlinable @inline(__always)
    mutating func putSmall(_ value: Int) {
        let twoDigits = value >= 10 ? 1 : 0
        let pair = Self.digitPairs.utf8Start + (value &* 2 &+ 1 &- twoDigits)
        base[count] = pair[0]
        base[count &+ 1] = pair[1]
        count &+= 1 &+ twoDigits
    }

    /// A number below 10^8, room for 8 bytes reserved: its eight digits, leading zeros included,
    /// made from four pairs of the pair table (`fourDigits`), then shifted so that the leading
    /// zeros fall off the front (the first digit is the lowest byte), all eight bytes stored and
    /// the count moved by the number's length. No branch on the value: how many digits an id or a
    /// duration has is as random as the value, and the digit loop that wrote them was mispredicted
    /// about once per number (cachegrind: 2.7 per store visit, of 8).
    @inlinable @inline(__always)
    mutating func putEightDigits(_ value: UInt32) {
        let high = value / 10_000, low = value &- high &* 10_000
        let text = UInt64(Self.fourDigits(high)) | UInt64(Self.fourDigits(low)) &<< 32
        let digits = Self.digitCount(belowTenTo8: value)
        UnsafeMutableRawPointer(base + count).storeBytes(of: (text &>> UInt64(64 &- 8 &* digits)).littleEndian, as: UInt64.self)
        count &+= digits
    }

    /// Decimal digits of a number below 10^8 (1 for 0): one more than the powers of ten from 10 to
    /// 10^7 it reaches, seven comparisons added up (`digitCount`'s table of powers compiles to a
    /// jump table: an indirect branch, as random as the numbers' lengths).
    @inlinable @inline(__always)
    static func digitCount(belowTenTo8 value: UInt32) -> Int {
        // `power - 1 - value` is negative (top bit set) exactly when `value >= power` (both are
        // below 2^31). Arithmetic, not `>=`: the compiler turns a sum of comparisons into a chain
        // of branches.
        @inline(__always) func reaches(_ power: UInt32) -> Int { Int(truncatingIfNeeded: (power &- 1 &- value) &>> 31) }
        return 1 &+ reaches(10) &+ reaches(100) &+ reaches(1000) &+ reaches(10_000)
            &+ reaches(100_000) &+ reaches(1_000_000) &+ reaches(10_000_000)
    }

    /// The four digits of a number below 10^4 (leading zeros included), first digit lowest.
    @inlinable @inline(__always)
    static func fourDigits(_ value: UInt32) -> UInt32 {
        let high = value / 100, low = value &- high &* 100
        let pairs = UnsafeRawPointer(digitPairs.utf8Start)
        let first = UInt16(littleEndian: pairs.loadUnaligned(fromByteOffset: Int(high) &* 2, as: UInt16.self))
        let second = UInt16(littleEndian: pairs.loadUnaligned(fromByteOffset: Int(low) &* 2, as: UInt16.self))
        return UInt32(first) | UInt32(second) &<< 16
    }

    /// The number of an id (`prod_<n>`, `store_<n>`, `session_<n>`…): up to eight digits with no
    /// branch on their length. `putDecimal`'s test for below 100 is shared by every caller, and ids
    /// of both lengths (a catalogue of 200 products drawn by popularity over shuffled ids) made it
    /// mispredict about every other id.
    @inlinable @inline(__always)
    mutating func putID(_ value: Int) {
        reserve(21)
        if value < 0 { put(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude < 100_000_000 { putEightDigits(UInt32(truncatingIfNeeded: magnitude)) } else { putDigits(magnitude) }
    }

    /// Reserves and writes the first number of a pair id (`putRepeatedDecimal` for it).
    @inlinable @inline(__always)
    mutating func putRepeatedID(_ value: Int) {
        reserve(24)
        if value < 0 {
            putDecimal(value)
        } else {
            putRepeatedDecimal(magnitude: value.magnitude)
        }
    }

    /// `putDecimal(magnitude:)` remembering the text of the last value written this way: an id
    /// that repeats (a journey's number in its session and touchpoint ids, row after row) is
    /// copied, not converted again. Room for 24 bytes reserved (24 are stored, up to 20 kept).
    @inlinable
    mutating func putRepeatedDecimal(magnitude value: UInt) {
        if value != repeatedValue || repeatedCount == 0 {
            let start = count
            putDecimal(magnitude: value)
            repeatedCount = count &- start
            let raw = UnsafeRawPointer(base + start)
            repeatedText = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                            raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            repeatedValue = value
            return
        }
        let target = UnsafeMutableRawPointer(base + count)
        target.storeBytes(of: repeatedText.0, as: UInt64.self)
        target.storeBytes(of: repeatedText.1, toByteOffset: 8, as: UInt64.self)
        target.storeBytes(of: repeatedText.2, toByteOffset: 16, as: UInt64.self)
        count &+= repeatedCount
    }

    /// The digits of `value` (the numbers of nine digits or more), written from the last, two at a
    /// time from a table of the pairs; the count comes from the highest set bit (`digitCount`).
    @inlinable
    mutating func putDigits(_ value: UInt) {
        let digits = Self.digitCount(UInt64(value))
        let pairs = Self.digitPairs.utf8Start
        var rest = value
        var index = count &+ digits
        while rest >= 100 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            index &-= 2
            base[index] = pairs[pair]
            base[index &+ 1] = pairs[pair &+ 1]
        }
        if rest >= 10 {
            let pair = Int(truncatingIfNeeded: rest) &* 2
            base[index &- 2] = pairs[pair]
            base[index &- 1] = pairs[pair &+ 1]
        } else {
            base[index &- 1] = 48 &+ UInt8(truncatingIfNeeded: rest)
        }
        count &+= digits
    }

    /// Decimal digits of `value` (1 for 0): the bit length gives the count or one more (×1233/4096
    /// is log10(2) from below), and one comparison with that power of ten tells which.
    @inlinable @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        let guess = ((64 &- (value | 1).leadingZeroBitCount) &* 1233) >> 12  // (>> binds tighter than &*)
        return guess &+ ((value | 1) >= powerOfTen(guess) ? 1 : 0)
    }

    /// 10^exponent for 0...19 (the compiler makes the switch a table lookup).
    @inlinable @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10000
        case 5: return 100000
        case 6: return 1000000
        case 7: return 10000000
        case 8: return 100000000
        case 9: return 1000000000
        case 10: return 10000000000
        case 11: return 100000000000
        case 12: return 1000000000000
        case 13: return 10000000000000
        case 14: return 100000000000000
        case 15: return 1000000000000000
        case 16: return 10000000000000000
        case 17: return 100000000000000000
        case 18: return 1000000000000000000
        default: return 10_000_000_000_000_000_000
        }
    }

    /// `00`, `01`, … `99`.
    @inlinable static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
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
        reserve(24)  // the cache's 24 bytes are stored whole, 19 counted
        if epochSeconds != cachedSecond {
            let delta = epochSeconds &- cachedSecond
            let second = cachedSecondOfMinute &+ Int(truncatingIfNeeded: delta)
            if delta > 0, delta < 60, second < 60 {
                // Later in the same minute (consecutive events mostly are): only `SS` changes.
                withUnsafeMutableBytes(of: &cachedTimestamp) { text in
                    text[17] = 48 &+ UInt8(truncatingIfNeeded: second / 10)
                    text[18] = 48 &+ UInt8(truncatingIfNeeded: second % 10)
                }
                cachedSecondOfMinute = second
            } else {
                // The day as `CivilTime` computes it (rounded down, also before 1970).
                let day = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
                if day == cachedDay { cacheTimeOfDay(Int(epochSeconds - day * 86_400)) } else { cacheTimestamp(epochSeconds) }
            }
            cachedSecond = epochSeconds
        }
        let target = UnsafeMutableRawPointer(base + count)
        target.storeBytes(of: cachedTimestamp.0, as: UInt64.self)
        target.storeBytes(of: cachedTimestamp.1, toByteOffset: 8, as: UInt64.self)
        target.storeBytes(of: cachedTimestamp.2, toByteOffset: 16, as: UInt64.self)
        count += 19
    }

    /// Rewrites `HH:MM:SS` of the cached text for `secondOfDay` (0..<86 400); the date stays.
    @inlinable @inline(__always)
    mutating func cacheTimeOfDay(_ secondOfDay: Int) {
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        cachedSecondOfMinute = second
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
        cachedSecondOfMinute = t.second
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
        let cents = Int((value * 100).roundedInline)
        if cents < 0 { put(UInt8(ascii: "-")) }
        let magnitude = cents.magnitude
        putDecimal(magnitude: magnitude / 100)
        put(UInt8(ascii: "."))
        putTwoDigits(Int(magnitude % 100))
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
