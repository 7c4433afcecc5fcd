import Foundation
import StarlingJSON

/// The offered rate over a run, in events (or requests) per second as a function of seconds since
/// the start. Shapes: constant, ramp, steps, sine, spike, and diurnal (the domain's daily curve
/// compressed into the run).
public enum RateProfile: Sendable, Equatable {
    case constant(Double)
    /// Linear from `from` to `to` over the run.
    case ramp(from: Double, to: Double)
    /// Each step holds its rate for its duration; the last step holds to the end.
    case steps([RateStep])
    /// mean + amplitude × sin(2π t / period).
    case sine(mean: Double, amplitude: Double, period: Double)
    /// `base`, except `peak` during [at, at + length).
    case spike(base: Double, peak: Double, at: Double, length: Double)
    /// `peak` × the hourly curve, one simulated day compressed into `dayLength` seconds.
    case diurnal(peak: Double, curve: [Double], dayLength: Double)

    /// The rate at `t` seconds into a run of `duration` seconds (never negative).
    public func rate(at t: Double, duration: Double) -> Double {
        let value: Double
        switch self {
        case .constant(let r): value = r
        case .ramp(let from, let to): value = from + (to - from) * min(max(t / max(duration, 1e-9), 0), 1)
        case .steps(let steps):
            var elapsed = 0.0
            var current = steps.first?.rate ?? 0
            for step in steps {
                current = step.rate
                elapsed += step.seconds
                if t < elapsed { break }
            }
            value = current
        case .sine(let mean, let amplitude, let period):
            value = mean + amplitude * sin(2 * Double.pi * t / period)
        case .spike(let base, let peak, let at, let length):
            value = t >= at && t < at + length ? peak : base
        case .diurnal(let peak, let curve, let dayLength):
            let hours = (t / dayLength).truncatingRemainder(dividingBy: 1) * 24
            let lower = Int(hours.rounded(.down)) % 24
            let fraction = hours - hours.rounded(.down)
            let top = max(curve.max() ?? 1, 1e-12)
            value = peak * (curve[lower] + (curve[(lower + 1) % 24] - curve[lower]) * fraction) / top
        }
        return max(value, 0)
    }

    /// The expected number of arrivals between `from` and `to` seconds of a run of `duration` seconds
    /// (the rate's integral, by the midpoint rule over at most 10,000 steps).
    public func expectedEvents(from: Double, to: Double, duration: Double) -> Double {
        guard to > from else { return 0 }
        let steps = 10_000
        let width = (to - from) / Double(steps)
        var total = 0.0
        for i in 0..<steps { total += rate(at: from + (Double(i) + 0.5) * width, duration: duration) }
        return total * width
    }

    /// An upper bound of the rate over the run (for thinning Poisson arrivals).
    public func maximumRate(duration: Double) -> Double {
        switch self {
        case .constant(let r): return r
        case .ramp(let from, let to): return max(from, to)
        case .steps(let steps): return steps.map(\.rate).max() ?? 0
        case .sine(let mean, let amplitude, _): return mean + abs(amplitude)
        case .spike(let base, let peak, _, _): return max(base, peak)
        case .diurnal(let peak, _, _): return peak
        }
    }

    /// The highest rate a scenario or `--rate` may ask for (events/s).
    public static let maximumPerSecond = 100_000_000.0

    /// Reads `{"shape": …}` or a bare number (constant).
    public init(_ value: JSONValue, path: String) throws(ScenarioError) {
        if let r = value.number, r >= 0, r <= RateProfile.maximumPerSecond {
            self = .constant(r)
            return
        }
        var reader = try ObjectReader(value, path: path)
        let shapes = ["constant", "ramp", "steps", "sine", "spike", "diurnal"]
        let shape = try reader.string("shape", default: "constant")
        let maxRate = RateProfile.maximumPerSecond
        switch shape {
        case "constant":
            self = .constant(try reader.double("per_second", default: 1000, in: 0...maxRate))
        case "ramp":
            self = .ramp(from: try reader.double("from", default: 0, in: 0...maxRate), to: try reader.double("to", default: 1000, in: 0...maxRate))
        case "steps":
            guard let list = reader.value("steps"), case .array(let items) = list, !items.isEmpty else {
                throw .invalidValue(path: reader.childPath("steps"), expected: "a list of {\"per_second\": R, \"duration\": \"10s\"}", found: "nothing")
            }
            var steps: [RateStep] = []
            for (i, item) in items.enumerated() {
                var step = try ObjectReader(item, path: "\(reader.childPath("steps"))[\(i)]")
                steps.append(RateStep(rate: try step.double("per_second", default: 0, in: 0...maxRate), seconds: try step.duration("duration", default: 10) ?? 10))
                try step.finish()
            }
            self = .steps(steps)
        case "sine":
            let mean = try reader.double("mean", default: 1000, in: 0...maxRate)
            self = .sine(mean: mean, amplitude: try reader.double("amplitude", default: mean / 2, in: 0...maxRate),
                         period: max(try reader.duration("period", default: 60) ?? 60, 0.001))
        case "spike":
            self = .spike(base: try reader.double("base", default: 100, in: 0...maxRate), peak: try reader.double("peak", default: 1000, in: 0...maxRate),
                          at: try reader.duration("at", default: 10) ?? 10, length: try reader.duration("length", default: 5) ?? 5)
        case "diurnal":
            self = .diurnal(peak: try reader.double("peak", default: 1000, in: 0...maxRate),
                            curve: try reader.doubles("curve", default: DailyCurve.online.hourly, count: 24...24),
                            dayLength: max(try reader.duration("day_length", default: 60) ?? 60, 0.001))
        default:
            throw .invalidValue(path: reader.childPath("shape"), expected: shapes.map { "\"\($0)\"" }.joined(separator: " | "), found: "\"\(shape)\"")
        }
        try reader.finish()
    }
}

/// One step of a `steps` rate profile.
public struct RateStep: Sendable, Equatable {
    public var rate: Double
    public var seconds: Double

    public init(rate: Double, seconds: Double) {
        self.rate = rate
        self.seconds = seconds
    }
}
