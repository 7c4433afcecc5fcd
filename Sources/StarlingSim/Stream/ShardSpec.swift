/// `--shard i/n`: this process emits the events of the entities (visitors, users, customers) that
/// hash to shard `index` of `count`. Sessions belong to one entity, so each stays whole, and the
/// union of all shards is the unsharded stream.
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = ShardSpec(uncheckedIndex: 0, count: 1)

    init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/n` with 0 ≤ i < n (also accepts `JOB_COMPLETION_INDEX`-style zero-based indices).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
            return nil
        }
        self.init(uncheckedIndex: i, count: n)
    }

    /// Whether this shard owns the entity: a hash, so popular low-numbered entities spread evenly.
    @inlinable
    public func owns(entity: Int) -> Bool {
        owner(of: entity) == index
    }

    /// The shard (of `count`) that owns the entity.
    @inlinable
    public func owner(of entity: Int) -> Int {
        count == 1 ? 0 : Int(SplitMix64.mix(UInt64(truncatingIfNeeded: entity) ^ 0x5348_4152_4421) % UInt64(count))
    }

    public var description: String { "\(index)/\(count)" }
}
