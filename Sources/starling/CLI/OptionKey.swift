/// An option's name as a constant: the commands declare their options (`OptionSpec`) and read them
/// (`ParsedArguments`) through these, so a misspelt option does not compile — read by string, it
/// returned nil and the option was silently ignored. A new option is one line here.
struct OptionKey: Hashable, Sendable {
    let name: String

    init(_ name: String) { self.name = name }
}

extension OptionKey {
    static let a = OptionKey("--a")
    static let b = OptionKey("--b")
    static let batch = OptionKey("--batch")
    static let check = OptionKey("--check")
    static let checks = OptionKey("--checks")
    static let concurrency = OptionKey("--concurrency")
    static let datasource = OptionKey("--datasource")
    static let duration = OptionKey("--duration")
    static let events = OptionKey("--events")
    static let fakeLatency = OptionKey("--fake-latency")
    static let flushInterval = OptionKey("--flush-interval")
    static let format = OptionKey("--format")
    static let gzip = OptionKey("--gzip")
    static let inFlight = OptionKey("--in-flight")
    static let json = OptionKey("--json")
    static let localTargetArgs = OptionKey("--local-target-args")
    static let metricsLinger = OptionKey("--metrics-linger")
    static let metricsListen = OptionKey("--metrics-listen")
    static let minTailSamples = OptionKey("--min-tail-samples")
    static let noProgress = OptionKey("--no-progress")
    static let out = OptionKey("--out")
    static let project = OptionKey("--project")
    static let projectOf = OptionKey("--project-of")
    static let rate = OptionKey("--rate")
    static let rounds = OptionKey("--rounds")
    static let scenario = OptionKey("--scenario")
    static let seed = OptionKey("--seed")
    static let shard = OptionKey("--shard")
    static let startAt = OptionKey("--start-at")
    static let target = OptionKey("--target")
    static let threshold = OptionKey("--threshold")
    static let tinybirdProject = OptionKey("--tinybird-project")
    static let token = OptionKey("--token")
    static let tolerance = OptionKey("--tolerance")
    static let truncate = OptionKey("--truncate")
}
