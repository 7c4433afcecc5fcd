import Foundation
import StarlingMetrics
import StarlingNet
import StarlingReport
import StarlingRun
import StarlingSim

enum BenchCommand {
    static let help = """
    USAGE: starling bench <benchmark> [options]

    Measures Starling itself (build with -c release for real numbers). The load benchmarks run
    against an in-process fake target on 127.0.0.1.

    BENCHMARKS:
      generate [<scenario>] [--events N]      events/s, MiB/s and peak RSS per datasource on one core
                                              (default scenario ci-smoke, 2000000 events each)
      ingest [--rate R] [--batch B] [--duration D] [--gzip] [--in-flight N]
                                              ingest at R events/s (default 500000) in batches of B
                                              (5000): achieved rate and schedule lag
      queries [--rate R] [--duration D] [--concurrency N]
                                              R queries/s (default 20000): schedule lag and latency
      stall [--rate R] [--duration D] [--json]
                                              a server stalling 1 s every 10 s at R req/s (default
                                              1000, 25 s): open-loop percentiles vs the analytic truth,
                                              and the same server measured closed-loop
      soak [--rate R] [--batch B] [--duration D]
                                              ingest R events/s (default 5000, batch 1 = R req/s) for
                                              D (default 10m), printing RSS every minute
    """

    static func main(_ arguments: [String]) -> Int32 {
        runCommand("bench", help: help, arguments) { args in
            let rate = try args.option("--rate", expected: "a rate > 0") { Double($0).flatMap { $0 > 0 ? $0 : nil } }
            let duration = try args.option("--duration", expected: "a duration like 10s") { DurationText.seconds(parsing: $0) }
            let events = try args.option("--events", expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let batch = try args.option("--batch", expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let inFlight = try args.option("--in-flight", expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 8
            let concurrency = try args.option("--concurrency", expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let gzip = args.flag("--gzip")
            let json = args.flag("--json")
            let positionals = try args.positionals(count: 1...2, names: "a benchmark: generate, ingest, queries, stall or soak")
            switch positionals[0] {
            case "generate":
                benchGenerate(try ScenarioCatalog().load(positionals.count > 1 ? positionals[1] : "ci-smoke"), events: events ?? 2_000_000)
            case "ingest":
                let outcome = try EngineBenchmarks.ingest(rate: rate ?? 500_000, batch: batch ?? 5000, duration: duration ?? 10, gzip: gzip, inFlight: inFlight)
                print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
            case "queries":
                let outcome = try EngineBenchmarks.queries(rate: rate ?? 20_000, duration: duration ?? 10, concurrency: concurrency)
                print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
            case "stall":
                return try benchStall(rate: rate ?? 1000, duration: duration ?? 25, concurrency: concurrency ?? 64, json: json)
            case "soak":
                try benchSoak(rate: rate ?? 5000, batch: batch ?? 1, duration: duration ?? 600)
            default:
                throw UsageError(verb: "bench", message: "unknown benchmark '\(positionals[0])'; available: generate, ingest, queries, stall, soak")
            }
            return 0
        }
    }

    static func benchGenerate(_ scenario: Scenario, events: Int) {
        print("datasource              events   seconds    events/s     MiB/s  bytes/event  peak RSS")
        for config in scenario.datasources {
            let r = GenerateBenchmark.run(config, events: events, seed: scenario.seed, start: scenario.start)
            let rss = r.peakRSSBytes.map { "\($0 / 1_048_576) MiB" } ?? "n/a"
            print(pad(r.datasource, 20) + String(format: "%10d%10.2f%12.0f%10.1f%13.1f  ", r.events, r.seconds,
                         r.eventsPerSecond, r.megabytesPerSecond, Double(r.bytes) / Double(max(r.events, 1))) + rss)
        }
    }

    /// 1 s stall every 10 s, the first 7 s in: over the default 25 s, 2 of 25 s are stalled (8 %),
    /// so no percentile of interest sits on the step at the stalled fraction. The truth is computed
    /// by `StallTruth`; Starling's open-loop measurement should match it, a closed-loop one does not.
    static func benchStall(rate: Double, duration: Double, concurrency: Int, json: Bool) throws -> Int32 {
        let stall = FakeTargetBehavior.Stall(every: .seconds(10), for: .seconds(1), firstAfter: .seconds(7))
        let truth = StallTruth(period: 10, stall: 1, firstAfter: 7, duration: duration)
        let open = try EngineBenchmarks.queries(rate: rate, duration: duration, concurrency: concurrency, stall: stall)
        guard let measured = open.summary.streams["query.bench"] else { return 1 }
        let closed = StreamSummary(try EngineBenchmarks.closedLoop(rate: rate, duration: duration, connections: 8, stall: stall))
        let percentiles = [50.0, 90, 99, 99.9]
        if json {
            var object: [String: [String: Double]] = ["truth": [:], "open_loop": [:], "closed_loop": [:]]
            for (p, (o, c)) in zip(percentiles, zip([measured.p50, measured.p90, measured.p99, measured.p999], [closed.p50, closed.p90, closed.p99, closed.p999])) {
                object["truth"]?["p\(p)"] = truth.percentile(p)
                object["open_loop"]?["p\(p)"] = o
                object["closed_loop"]?["p\(p)"] = c
            }
            object["open_loop"]?["count"] = Double(measured.count)
            object["open_loop"]?["errors"] = Double(measured.errors)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(object), as: UTF8.self))
        } else {
            print(String(format: "stalled fraction %.1f %%            p50 ms    p90 ms    p99 ms  p99.9 ms    max ms    count", truth.stalledFraction * 100))
            print(pad("analytic truth", 28) + String(format: "%10.2f%10.2f%10.2f%10.2f%10.2f",
                         truth.percentile(50), truth.percentile(90), truth.percentile(99), truth.percentile(99.9), 1000.0))
            for (name, s) in [("open loop (Starling)", measured), ("closed loop, 8 connections", closed)] {
                print(pad(name, 28) + String(format: "%10.2f%10.2f%10.2f%10.2f%10.2f%9llu", s.p50, s.p90, s.p99, s.p999, s.max, s.count))
            }
        }
        return 0
    }

    static func benchSoak(rate: Double, batch: Int, duration: Double) throws {
        let done = StopFlag()
        let sampler = Thread {
            let start = MonotonicClock.now()
            var minute = 0
            while !done.isSet {
                done.sleep(until: start + UInt64(minute + 1) * 60_000_000_000)
                minute += 1
                let rss = ProcessMemory.resident.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "n/a"
                print("minute \(minute): RSS \(rss)")
                fflush(nil)
            }
        }
        sampler.start()
        let outcome = try EngineBenchmarks.ingest(rate: rate, batch: batch, duration: duration, gzip: true, inFlight: 8)
        done.stop("done")
        print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
