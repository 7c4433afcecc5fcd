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

    /// Mostly busy people, as in a stream of journeys that last days: each session keeps its person
    /// busy for a random time so that about 85% of them are busy at any moment, and most sessions
    /// are passed along the walk (up to `neighbours` people). Over many sessions everyone gets their
    /// share: the sessions per person are no more dispersed than a Poisson count (variance ÷ mean
    /// below 1.3; measured 0.8, the busy time regulating who is free), and nobody gets twice the
    /// mean. A person's place after a run of busy ones is an advantage only while those stay busy.
    @Test func aMostlyBusyPopulationStillSharesSessionsEvenly() {
        let count = 2_000
        var schedule = Self.schedule(count: count)
        var rng = Xoshiro256(seed: 4)
        var sessions = [Int](repeating: 0, count: count)
        var t = Self.monday
        var busy = 0.0, samples = 0.0
        for step in 0..<400_000 {
            t += 1
            guard let chosen = schedule.choose(at: t, using: &rng) else { continue }
            sessions[chosen.person] += 1
            // Busy for ~1,700 s on average at one session a second: ~85% of 2,000 people busy.
            let length = Int64(Distribution.exponential(mean: 1_700, using: &rng))
            schedule.occupy(chosen.position, group: 0, start: t, until: t + length)
            if step % 1000 == 999 {
                busy += Double(schedule.people.filter { Int64($0.busyUntil) > t - PersonSchedule.epoch }.count) / Double(count)
                samples += 1
            }
        }
        #expect(busy / samples > 0.75, "the population was busy \(busy / samples) of the time, not mostly")
        let mean = Double(sessions.reduce(0, +)) / Double(count)
        let variance = sessions.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count - 1)
        #expect(variance / mean < 1.3, "sessions per person: mean \(mean), variance \(variance)")
        #expect(Double(sessions.max() ?? 0) < 2 * mean, "someone got \(sessions.max() ?? 0) sessions, the mean is \(mean)")
    }
}
