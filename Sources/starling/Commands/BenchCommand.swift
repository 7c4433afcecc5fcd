import StarlingRun
import StarlingSim

enum BenchCommand {
    static let help = """
    USAGE: starling bench generate [<scenario>] [--events N]

    Measures generation on one core: events/s, MiB/s of NDJSON and peak RSS for each datasource of
    the scenario (default: ci-smoke, which has all three). Build with -c release for real numbers.

    OPTIONS:
      --events N    events per datasource (default 2000000)
    """

    static func main(_ arguments: [String]) -> Int32 {
        runCommand("bench", help: help, arguments) { args in
            let events = try args.option("--events", expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 2_000_000
            let positionals = try args.positionals(count: 1...2, names: "what to measure: generate")
            guard positionals[0] == "generate" else {
                throw UsageError(verb: "bench", message: "unknown benchmark '\(positionals[0])'; available: generate")
            }
            let scenario = try ScenarioCatalog().load(positionals.count > 1 ? positionals[1] : "ci-smoke")
            print("datasource              events   seconds    events/s     MiB/s  bytes/event  peak RSS")
            for config in scenario.datasources {
                let r = GenerateBenchmark.run(config, events: events, seed: scenario.seed, start: scenario.start)
                let rss = r.peakRSSBytes.map { "\($0 / 1_048_576) MiB" } ?? "n/a"
                print(pad(r.datasource, 20) + pad("\(r.events)", 10, right: true) + pad(fixed(r.seconds, 2), 10, right: true)
                    + pad(fixed(r.eventsPerSecond, 0), 12, right: true) + pad(fixed(r.megabytesPerSecond, 1), 10, right: true)
                    + pad(fixed(Double(r.bytes) / Double(max(r.events, 1)), 1), 13, right: true) + "  " + rss)
            }
            return 0
        }
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return digits == 0 ? "\(Int(rounded))" : "\(rounded)"
    }
}
