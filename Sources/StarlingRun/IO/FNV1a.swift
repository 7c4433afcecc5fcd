/// FNV-1a, 64 bits: the digest of event lines in results files (each dead-letter batch, each shard's
/// events), so that a file changed after the run is told from the one the run wrote.
struct FNV1a: Sendable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }

    /// Lower-case hexadecimal, as results files hold it.
    var hex: String { String(value, radix: 16) }
}
