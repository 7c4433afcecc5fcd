/// Counting helpers for the oracles' `coverage()`.
enum Coverage {
    /// How many of `keys` share their value with another (the rows an ORDER BY tie-breaker orders).
    static func tied<Key: Hashable>(_ keys: some Sequence<Key>) -> Int {
        var counts: [Key: Int] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        return counts.values.filter { $0 > 1 }.reduce(0, +)
    }

    /// How many values between the smallest and the largest of `present` are missing (gaps).
    static func gaps(_ present: some Sequence<Int64>, step: Int64 = 1) -> Int {
        let sorted = Set(present).sorted()
        guard let first = sorted.first, let last = sorted.last else { return 0 }
        return Int((last - first) / step) + 1 - sorted.count
    }

    /// How many members appear in two or more of `sets`.
    static func inSeveral<Member: Hashable>(_ sets: some Sequence<Set<Member>>) -> Int {
        var counts: [Member: Int] = [:]
        for set in sets { for member in set { counts[member, default: 0] += 1 } }
        return counts.values.filter { $0 > 1 }.count
    }
}
