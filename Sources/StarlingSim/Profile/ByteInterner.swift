/// Byte strings one after another in one array: the names a profile keeps (ids, labels) without a
/// `String` each. Name `n` is `bytes[starts[n]..<starts[n + 1]]`.
struct NameList: Sendable {
    private(set) var bytes: [UInt8] = []
    private var starts: [Int] = [0]

    var count: Int { starts.count - 1 }

    /// Appends `name` and returns its number.
    @discardableResult
    mutating func append(_ name: UnsafeBufferPointer<UInt8>) -> Int32 {
        bytes.append(contentsOf: name)
        starts.append(bytes.count)
        return Int32(truncatingIfNeeded: starts.count - 2)
    }

    func name(_ number: Int32) -> String {
        let n = Int(number)
        guard n >= 0, n < count else { return "?" }
        return String(decoding: bytes[starts[n]..<starts[n + 1]], as: UTF8.self)
    }

    /// Whether name `number` is exactly `key`.
    @inline(__always)
    func matches(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[number], end = starts[number + 1]
        guard end - start == key.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress, let keyBase = key.baseAddress else { return key.isEmpty }
            return memoryEqual(base + start, keyBase, key.count)
        }
    }
}

/// Gives each distinct byte string a dense number (0, 1, 2… in order of first appearance), so that
/// per-person and per-session state is an array indexed by it. Ids are never assumed numeric.
/// Open addressing over a power-of-two table of (hash bits, number + 1), at most half full.
struct ByteInterner: Sendable {
    private(set) var names = NameList()
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { names.count }

    func name(_ number: Int32) -> String { names.name(number) }

    /// The number of `key`, a new one when it is new.
    @inline(__always)
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(key) & 0xFFFF_FFFF
        let (index, found) = probe(key, hash: hash)
        if let found { return found }
        let number = names.append(key)
        slots[index] = hash << 32 | UInt64(number + 1)
        if names.count * 2 > slots.count { grow() }
        return number
    }

    /// The number of `key` if it was interned.
    func number(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        probe(key, hash: Self.hash(key) & 0xFFFF_FFFF).number
    }

    /// Where `key` is (its number), or the empty slot where it would go. A slot holds the hash's low
    /// 32 bits (which place it, and tell most keys apart without reading their bytes) above the
    /// number + 1 (0: empty).
    @inline(__always)
    private func probe(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (index: Int, number: Int32?) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return (index, nil) }
            if slot >> 32 == hash {
                let number = Int(slot & 0xFFFF_FFFF) - 1
                if names.matches(number, key) { return (index, Int32(number)) }
            }
            index = (index + 1) & mask
        }
    }

    /// Twice the slots; each slot's place comes from its own hash bits, so no key is read again.
    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot != 0 {
            var index = Int(truncatingIfNeeded: slot >> 32) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// 8 bytes at a time, multiplied and folded (the wyhash family's mix); short ids (`visitor_17`)
    /// take two rounds.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = key.baseAddress else { return 0x9E37_79B9_7F4A_7C15 }
        let raw = UnsafeRawPointer(base)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var offset = 0
        while offset + 8 <= key.count {
            h = mix(h ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < key.count {
            var tail: UInt64 = 0
            for i in offset..<key.count { tail |= UInt64(base[i]) << UInt64((i - offset) * 8) }
            h = mix(h ^ tail)
        }
        return mix(h)
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        return product.high ^ product.low
    }
}
