import Foundation
import StarlingApp
import StarlingDisk
import StarlingMetrics
import StarlingNet
import StarlingProject
import StarlingReport
import StarlingRun
import StarlingSim

enum BenchCommand: CLICommand {
    static let benchmarks: [CommandSpec] = [
        CommandSpec(verb: "bench generate", usage: "starling bench generate [<scenario>] [--events N]",
                    summary: "events/s, MiB/s and peak RSS per datasource on one core (default scenario ci-smoke, 2000000 events each)",
                    arguments: [("<scenario>", "a scenario file or built-in name (default ci-smoke)")],
                    options: [.value(.events, "N", "events per datasource (default 2000000)")]),
        CommandSpec(verb: "bench ingest", usage: "starling bench ingest [options]",
                    summary: "ingest against the in-process fake target: achieved rate and schedule lag",
                    options: [
                        .value(.rate, "R", "events/s (default 500000)"),
                        .value(.batch, "B", "events per batch (default 5000)"),
                        .value(.duration, "D", "length (default 10s)"),
                        .flag(.gzip, "compress the batches"),
                        .value(.inFlight, "N", "requests in flight (default 8)"),
                        .flag(.checks, "all three seed datasources with every pipe's check on: valid only with schedule lag p99 ≤ 25 ms; then the checks' expected answers are computed from the events sent, and timed"),
                    ]),
        CommandSpec(verb: "bench queries", usage: "starling bench queries [options]",
                    summary: "pipe queries against the in-process fake target: schedule lag and latency",
                    options: [
                        .value(.rate, "R", "queries/s (default 20000)"),
                        .value(.duration, "D", "length (default 10s)"),
                        .value(.concurrency, "N", "query workers (default: 8 + 1 per 2000 q/s)"),
                    ]),
        CommandSpec(verb: "bench stall", usage: "starling bench stall [options]",
                    summary: "a server stalling 1 s every 10 s: open-loop percentiles vs the analytic truth, and the same server measured closed-loop",
                    options: [
                        .value(.rate, "R", "requests/s (default 1000)"),
                        .value(.duration, "D", "length (default 25s)"),
                        .value(.concurrency, "N", "query workers (default 64)"),
                        .flag(.json, "print JSON"),
                        .flag(.check, "exit 1 when the open-loop percentiles miss the truth (2 % of p99 and p99.9; 20 ms at p50 and p90; plus the server's own drain time) or the closed loop does not hide the stall"),
                    ]),
        CommandSpec(verb: "bench soak", usage: "starling bench soak [options]",
                    summary: "ingest for a long time, printing RSS every minute",
                    options: [
                        .value(.rate, "R", "events/s (default 5000)"),
                        .value(.batch, "B", "events per batch (default 1: R requests/s)"),
                        .value(.duration, "D", "length (default 10m)"),
                    ]),
    ]

    static let spec = CommandSpec(
        verb: "bench",
        line: "measure Starling itself (bench generate: events/s and peak RSS per domain)",
        usage: "starling bench <benchmark> [options]",
        summary: """
        Measures Starling itself (build with -c release for real numbers). The load benchmarks run
        against an in-process fake target on 127.0.0.1. 'starling bench <benchmark> --help' shows a
        benchmark's options.
        """,
        arguments: benchmarks.map { ($0.verb.replacingOccurrences(of: "bench ", with: ""), $0.summary) })

    static func main(_ arguments: [String]) -> Int32 {
        guard let name = arguments.first, !name.hasPrefix("-") else {
            return runCommand(spec, arguments) { args in
                _ = try args.positionals(count: 1...1, names: "a benchmark: generate, ingest, queries, stall or soak")
                return 0
            }
        }
        guard let benchmark = benchmarks.first(where: { $0.verb == "bench \(name)" }) else {
            printError("unknown benchmark '\(name)'; available: generate, ingest, queries, stall, soak\nRun 'starling help bench' for usage.")
            return 1
        }
        return runCommand(benchmark, Array(arguments.dropFirst())) { args in
            let rate = try args.value(.rate, expected: "a rate > 0") { Double($0).flatMap { $0 > 0 ? $0 : nil } }
            let duration = try args.value(.duration, expected: "a duration like 10s") { DurationText.seconds(parsing: $0) }
            let positive = { (text: String) in Int(text).flatMap { $0 > 0 ? $0 : nil } }
            switch name {
            case "generate":
                let events = try args.value(.events, expected: "a positive integer", positive)
                let scenario = try args.positionals(count: 0...1, names: "<scenario>").first ?? "ci-smoke"
                benchGenerate(try ScenarioCatalog().load(scenario), events: events ?? 2_000_000)
            case "ingest":
                _ = try args.positionals(count: 0...0, names: "")
                let batch = try args.value(.batch, expected: "a positive integer", positive) ?? 5000
                let inFlight = try args.value(.inFlight, expected: "a positive integer", positive) ?? 8
                if args.flag(.checks) {
                    let pipes = try ProjectFolder(path: ScenarioCatalog().projectFolder).pipes
                    let (outcome, work) = try EngineBenchmarks.ingestWithChecks(rate: rate ?? 200_000, batch: batch, duration: duration ?? 10,
                                                                                inFlight: inFlight, pipes: pipes)
                    print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
                    print(String(format: "checks: %d combinations of %d pipes, expected answers computed from %@ events in %.1f s after the load (%.0fk events/s through the planner and oracles), off the send path",
                                 work.combinations, work.pipes, work.events.formatted(), work.seconds, Double(work.events) / max(work.seconds, 1e-9) / 1000))
                    return outcome.summary.valid ? 0 : 3
                }
                let outcome = try EngineBenchmarks.ingest(rate: rate ?? 500_000, batch: batch, duration: duration ?? 10, gzip: args.flag(.gzip),
                                                          inFlight: inFlight)
                print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
            case "queries":
                _ = try args.positionals(count: 0...0, names: "")
                let outcome = try EngineBenchmarks.queries(rate: rate ?? 20_000, duration: duration ?? 10,
                                                           concurrency: try args.value(.concurrency, expected: "a positive integer", positive))
                print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
            case "stall":
                _ = try args.positionals(count: 0...0, names: "")
                return try benchStall(rate: rate ?? 1000, duration: duration ?? 25,
                                      concurrency: try args.value(.concurrency, expected: "a positive integer", positive) ?? 64,
                                      json: args.flag(.json), check: args.flag(.check))
            default:
                _ = try args.positionals(count: 0...0, names: "")
                try benchSoak(rate: rate ?? 5000, batch: try args.value(.batch, expected: "a positive integer", positive) ?? 1, duration: duration ?? 600)
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
    static func benchStall(rate: Double, duration: Double, concurrency: Int, json: Bool, check: Bool) throws -> Int32 {
        let stall = FakeTargetBehavior.Stall(every: .seconds(10), for: .seconds(1), firstAfter: .seconds(7))
        let truth = StallTruth(period: 10, stall: 1, firstAfter: 7, duration: duration)
        var server: FakeTargetStats?
        let open = try EngineBenchmarks.queries(rate: rate, duration: duration, concurrency: concurrency, stall: stall) { server = $0 }
        let releaseLag = Double(server?.stallReleaseLagNanoseconds ?? 0) / 1e6
        guard let measured = open.summary.streams["query.bench"] else { return 1 }
        // The contrast needs one stall, not the whole measurement: the first comes 7 s in.
        let closed = StreamSummary(try EngineBenchmarks.closedLoop(rate: rate, duration: min(duration, 10), connections: 8, stall: stall))
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
            object["server"] = ["stall_release_lag_ms": releaseLag]
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
            print(String(format: "the server answered its last held request %.1f ms after a window ended (its own drain time, not in the truth)", releaseLag))
        }
        guard check else { return 0 }
        var misses = truth.misses(openLoop: [50: measured.p50, 90: measured.p90, 99: measured.p99, 99.9: measured.p999],
                                  closedLoopP99: closed.p99, releaseLagMilliseconds: releaseLag)
        if measured.count < UInt64(rate * duration * 0.996) || measured.errors > 0 {
            misses.append("open loop: \(measured.count) answers with \(measured.errors) errors, expected \(Int(rate * duration)) without errors")
        }
        for line in misses { printError("bench stall: \(line)") }
        if misses.isEmpty { printError("bench stall: the open-loop percentiles match the analytic truth") }
        return misses.isEmpty ? 0 : 1
    }

    static func benchSoak(rate: Double, batch: Int, duration: Double) throws {
        let done = RunCancellation()
        let clock = SystemClock()
        let sampler = Thread {
            let start = clock.now()
            var minute = 0
            while !done.isCancelled {
                clock.sleep(until: start + UInt64(minute + 1) * 60_000_000_000, unless: done)
                if done.isCancelled { break }
                minute += 1
                let rss = ProcessMemory.resident.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "n/a"
                print("minute \(minute): RSS \(rss)")
                fflush(nil)
            }
        }
        sampler.start()
        let outcome = try EngineBenchmarks.ingest(rate: rate, batch: batch, duration: duration, gzip: true, inFlight: 8)
        done.cancel(.plannedEnd)
        print(RunConsoleSummary.render(outcome.summary, folder: "(not kept)"))
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
