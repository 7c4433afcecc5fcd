import Testing
@testable import StarlingSim

/// Who a session goes to when the person drawn is busy (`PersonSchedule.choose`).
@Suite struct PersonScheduleTests {
    /// `count` people of one group, all at the same rate (one bucket), active all week.
    static func schedule(count: Int, cap: Int = 1000) -> PersonSchedule {
        PersonSchedule(persons: (0..<count).map(Int32.init), groupOf: Array(repeating: 0, count: count),
                       weights: Array(repeating: 1, count: count), tags: Array(repeating: 0, count: count),
                       groups: [.init(offsetSeconds: 0, activity: { _ in 1 })], cap: cap)
    }

    static let monday: Int64 = 1_747_008_000  // 2025-05-12 00:00 UTC

    @Test func aBusyPersonsSessionGoesToAFreeOneOfTheirBucket() {
        var schedule = Self.schedule(count: 6)
        var busy = Set<Int>()
        var rng = Xoshiro256(seed: 1)
        // Occupy five of the six, one session at a time: each goes to someone not yet busy.
        for _ in 0..<5 {
            guard let chosen = schedule.choose(at: Self.monday, using: &rng) else {
                Issue.record("nobody chosen while \(6 - busy.count) are free")
                return
            }
            #expect(busy.insert(chosen.person).inserted, "person \(chosen.person) was busy")
            schedule.occupy(chosen.position, group: chosen.group, start: Self.monday, until: Self.monday + 3600)
        }
        // The one left free gets every session, whoever is drawn.
        let free = Set(0..<6).subtracting(busy)
        for _ in 0..<50 {
            #expect(schedule.choose(at: Self.monday + 60, using: &rng).map { Set([$0.person]) } == free)
        }
        // Once all are busy, nobody is.
        if let last = schedule.choose(at: Self.monday + 60, using: &rng) {
            schedule.occupy(last.position, group: last.group, start: Self.monday, until: Self.monday + 3600)
        }
        #expect(schedule.choose(at: Self.monday + 60, using: &rng) == nil)
        #expect(schedule.unplaced == 1)
    }

    /// Half the people busy for good: the sessions of the busy ones pass to the others, and every
    /// free person still gets an equal share (the walk to a neighbour favours nobody).
    @Test func passedSessionsAreSharedEvenly() {
        let count = 200
        var schedule = Self.schedule(count: count)
        for position in stride(from: 0, to: count, by: 2) {
            schedule.occupy(position, group: 0, start: Self.monday, until: Self.monday + 86_400 * 365)
        }
        var rng = Xoshiro256(seed: 2)
        var shares = [Int: Int]()
        let sessions = 200_000
        for _ in 0..<sessions {
            guard let chosen = schedule.choose(at: Self.monday + 60, using: &rng) else {
                Issue.record("nobody chosen with half the people free")
                return
            }
            shares[chosen.person, default: 0] += 1
        }
        #expect(shares.count == count / 2, "only the free half is chosen")
        let expected = Double(sessions) / Double(count / 2)
        // 2,000 expected each: a binomial's sd is ~44, so 15% off is over 6 sd.
        for (person, share) in shares {
            #expect(abs(Double(share) - expected) < 0.15 * expected, "person \(person): \(share) sessions, expected \(expected)")
        }
    }
}
