/// `starling profile <scenario>`: generates a scenario's events in memory and profiles them through
/// the same bytes `generate` would write (NDJSON), so that a scenario and its fixtures are measured by
/// one code path.
public enum ScenarioProfiler {
    /// Progress of a profile: the datasource and the rows read so far.
    public struct Progress: Sendable {
        public var datasource: String
        public var rows: Int
    }

    /// Every domain datasource of `scenario` over `seconds` of simulated time from its start, with its
    /// seed or `seed`; a datasource described by a schema is listed as not profiled.
    public static func profile(
        _ scenario: Scenario, seconds: Double, seed: UInt64? = nil, chunkBytes: Int = 1 << 20, progress: ((Progress) -> Void)? = nil
    ) throws(ProfileInputError) -> ProfileReport {
        let seed = seed ?? scenario.seed
        let end = scenario.start + Int64(seconds.rounded(.up))
        var profiles: [DatasourceProfile] = []
        var skipped: [ProfileReport.Skipped] = []
        for config in scenario.datasources {
            guard let declared = config.declaredTargets,
                  var profiler = DatasourceProfiler(datasource: config.name, format: .ndjson, source: "generated \(config.name) of \(scenario.name)", declared: declared)
            else {
                skipped.append(.init(name: config.name, reason: "described by a schema; profile knows \(DatasourceProfiler.datasources.joined(separator: ", "))"))
                continue
            }
            var stream = DatasourceStream(config, seed: seed, start: scenario.start, end: end)
            var encoder = NDJSONEncoder(capacity: chunkBytes + 4096)
            var more = true
            while more {
                more = stream.encodeNext(into: &encoder) != nil
                guard encoder.byteCount >= chunkBytes || !more else { continue }
                try encoder.withBytes { (bytes) throws(ProfileInputError) in try profiler.consume(bytes) }
                encoder.removeAllBytes()
                progress?(Progress(datasource: config.name, rows: profiler.rows))
            }
            profiles.append(try profiler.finish())
        }
        let source = "scenario \(scenario.name), seed \(seed), \(formatTimestamp(scenario.start)) + \(DurationText.format(seconds: seconds))"
        return ProfileReport(source: source, datasources: profiles, notProfiled: skipped)
    }
}
