import Foundation
import StarlingSim

/// The intended send times of an open-loop stream, as seconds from the run's start: arrivals of a
/// Poisson process (thinned against the profile's maximum rate) or evenly spaced, following the
/// rate profile, until `duration`. Each time is derived from the previous *intended* one, never
/// from the clock, so a late generator does not shift the schedule.
public struct ArrivalSchedule: Sendable {
    public let profile: RateProfile
    public let process: ArrivalProcess
    public let duration: Double
    var rng: Xoshiro256
    var time = 0.0
    let maximumRate: Double

    public init(profile: RateProfile, process: ArrivalProcess, duration: Double, seed: UInt64) {
        self.profile = profile
        self.process = process
        self.duration = duration
        rng = Xoshiro256(seed: seed, stream: StreamTag("schedule"), index: 0)
        maximumRate = profile.maximumRate(duration: duration)
    }

    /// The next intended time, or nil once past the run's duration.
    public mutating func next() -> Double? {
        guard maximumRate > 0 else { return nil }
        switch process {
        case .poisson:
            while time < duration {
                time += Distribution.exponential(mean: 1 / maximumRate, using: &rng)
                if time >= duration { return nil }
                if rng.unit() * maximumRate < profile.rate(at: time, duration: duration) { return time }
            }
            return nil
        case .uniform:
            // Step by the current inter-arrival gap; where the rate is 0, skip ahead in small steps.
            while time < duration {
                let rate = profile.rate(at: time, duration: duration)
                if rate > 0 {
                    time += 1 / rate
                    return time < duration ? time : nil
                }
                time += 0.001
            }
            return nil
        }
    }
}
