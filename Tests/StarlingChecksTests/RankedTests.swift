@testable import StarlingChecks
import StarlingSim
import Testing

/// `Dictionary.ranked(idPrefix:by:limit:)` keeps exactly the rows of naming every entry, sorting
/// them all (`ORDER BY rank DESC, id ASC`) and applying the limit: positive, negative, zero, larger
/// than the entries, and cuts that fall inside ties (ranks drawn from a few values, keys whose ids
/// order differently as text than as numbers: `v_10` before `v_9`; ids longer than the 16 bytes
/// compared packed, which only their whole text orders).
struct RankedTests {
    @Test(arguments: [1, 2, 3, 7, 40])
    func keepsWhatSortingEverythingKeeps(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("ranked"), index: 0)
        for size in [0, 1, 2, 5, 13, 200] {
            var entries: [Int: Int64] = [:]
            for _ in 0..<size {
                // Mostly short ids; some longer than the 16 bytes compared packed (negative too).
                let wide = rng.below(4) == 0 ? (rng.below(2) == 0 ? -1 : 1) * (100_000_000_000_000_000 + rng.below(1000)) : nil
                entries[wide ?? rng.below(1000)] = Int64(rng.below(size < 13 ? 3 : 20))
            }
            for value in [0, 1, 2, 5, 12, 150, 5000, -1, -2, -7, -150, -5000, Int.min] {
                let limit = RowLimit(value)
                let naive = limit.apply(entries.map { (id: "v_\($0.key)", value: $0.value) }
                    .rankedDescending(by: \.value, thenBy: \.id))
                let fast = entries.ranked(idPrefix: "v_", by: { $0 }, limit: limit)
                #expect(fast.map(\.id) == naive.map(\.id), "seed \(seed), \(entries.count) entries, limit \(value)")
                #expect(fast.map(\.value) == naive.map(\.value))
            }
        }
    }
}
