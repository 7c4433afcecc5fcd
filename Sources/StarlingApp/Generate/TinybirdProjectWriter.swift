import Foundation
import StarlingChecks
import StarlingProject
import StarlingRun
import StarlingSim

/// What `generate --tinybird-project DIR` wrote.
public struct TinybirdProject: Sendable {
    /// `DIR/fixtures/<datasource>.ndjson`.
    public var fixtures: [GeneratedFile]
    /// `DIR/tests/<pipe>.yaml` and its cases, by pipe name.
    public var tests: [(pipe: String, path: String, cases: [TinybirdTestCase])]
    /// Combinations left out, with why (parameters the template refuses, answers an oracle cannot give).
    public var skipped: [(pipe: String, parameters: PipeParameters, reason: String)]
    /// Tests that may not hold on every target, with why.
    public var warnings: [String]
}

/// Writes a Tinybird Forward project's `fixtures/` (the bytes `generate` writes) and `tests/` (one
/// `<pipe>.yaml` per pipe of the generated datasources, the exact `.ndjson` answers from the oracles
/// for the check plan drawn from the fixtures, as a run draws it from what it sent).
public enum TinybirdProjectWriter {
    /// `pipes`: the project's pipe specs (the parameters the plan is drawn with).
    public static func write(
        _ scenario: Scenario, options: GenerateOptions, directory: String, pipes specs: [String: PipeSpec],
        progress: ((GenerateProgress) -> Void)? = nil
    ) throws(GenerateError) -> TinybirdProject {
        var fixtureOptions = options
        fixtureOptions.format = .ndjson
        fixtureOptions.output = .directory(directory + "/fixtures")
        try createDirectory(directory + "/fixtures")
        try createDirectory(directory + "/tests")
        let fixtures = try FixtureGenerator.generate(scenario, options: fixtureOptions, progress: progress)
        let datasources = fixtures.map(\.datasource)

        var months: [String: Set<Substring>] = [:]
        forEachEvent(scenario, options: options, datasources: datasources) { datasource, event in
            months[datasource, default: []].insert(formatTimestamp(event.time).prefix(7))
        }
        let pipes = PipeOracles.pipes.filter { PipeOracles.datasource(of: $0).map(datasources.contains) ?? false }
        let events: @Sendable ((String, GeneratedEvent) -> Void) -> Void = { body in forEachEvent(scenario, options: options, datasources: datasources, body) }
        let expectations = Expectations.compute(pipes: pipes, specs: specs, seed: options.seed ?? scenario.seed,
                                                budget: scenario.run.checks.maxCombinations, scheduled: events, sent: events)

        var skipped = expectations.refused.map { (pipe: $0.check.pipe, parameters: $0.check.parameters, reason: $0.reason) }
        var answers: [(oracle: AnyPipeOracle, rows: [ExpectedRow])] = []
        for (check, oracle) in expectations.oracles {
            if let reason = oracle.unsupportedReason {
                skipped.append((check.pipe, check.parameters, reason))
            } else if let cell = oracle.rows().lazy.flatMap(\.columns).first(where: \.value.roundsOnFloatNoise) {
                skipped.append((check.pipe, check.parameters, "\(cell.name) rounds a value within float error of a half cent (\(cell.value.rendered)): ClickHouse's order of float additions decides which way, so no exact answer can be written"))
            } else {
                answers.append((oracle, oracle.rows()))
            }
        }
        answers = inStorageOrder(answers, scenario: scenario, options: options, datasources: datasources)

        var tests: [(pipe: String, path: String, cases: [TinybirdTestCase])] = []
        for (pipe, group) in Dictionary(grouping: answers, by: \.oracle.pipe).sorted(by: { $0.key < $1.key }) {
            let cases = group.enumerated().map { i, answer in
                TinybirdTestCase(
                    name: "\(pipe)_\(i + 1)",
                    description: "\(answer.oracle.parameters): \(answer.rows.count) rows expected by starling's oracle for scenario '\(scenario.name)', seed \(options.seed ?? scenario.seed)",
                    parameters: TinybirdTestCase.queryString(answer.oracle.parameters),
                    expectedResult: ExpectedRow.ndjsonBody(answer.rows))
            }
            let path = "\(directory)/tests/\(pipe).yaml"
            try writeFile(path, TinybirdTestYAML.render(cases))
            tests.append((pipe, path, cases))
        }
        var warnings: [String] = []
        for (pipe, datasource) in [("visitor_details", "store_visits"), ("top_products", "ecommerce_events"), ("total_revenue", "ecommerce_events")]
        where (months[datasource]?.count ?? 0) > 1 && tests.contains(where: { $0.pipe == pipe }) {
            warnings.append("tests/\(pipe).yaml assumes \(datasource) is read in one part; its fixture spans \(months[datasource]?.count ?? 0) months "
                + "(monthly partitions), so the order of groupArray elements or float additions may differ: use --duration or --events to stay within a month")
        }
        return TinybirdProject(fixtures: fixtures, tests: tests, skipped: skipped, warnings: warnings)
    }

    /// Every event written to the fixtures (this shard's, within the size asked for), in file order.
    static func forEachEvent(_ scenario: Scenario, options: GenerateOptions, datasources: [String], _ body: (String, GeneratedEvent) -> Void) {
        let (counts, end) = options.size.limits(for: scenario)
        for (i, config) in scenario.datasources.enumerated() where datasources.contains(config.name) {
            var stream = DatasourceStream(config, seed: options.seed ?? scenario.seed, start: scenario.start, end: end, shard: options.shard)
            while counts[i].map({ stream.produced < $0 }) ?? true, let (event, owned) = stream.nextEvent() {
                if owned { body(config.name, event) }
            }
        }
    }

    /// Puts what SQL leaves to the storage order (`visitor_details`' arrays, the float revenue sums of
    /// `top_products` and `total_revenue`) in the order a fresh target reads the fixture in: one more
    /// pass, over the visits of the answers' visitors and the purchases only.
    static func inStorageOrder(
        _ answers: [(oracle: AnyPipeOracle, rows: [ExpectedRow])], scenario: Scenario, options: GenerateOptions, datasources: [String]
    ) -> [(oracle: AnyPipeOracle, rows: [ExpectedRow])] {
        var visitors = Set<String>()
        for answer in answers where answer.oracle.pipe == "visitor_details" {
            for row in answer.rows { if case .string(let id)? = row["visitor_id"] { visitors.insert(id) } }
        }
        let revenuePipes: Set<String> = ["top_products", "total_revenue"]
        let needsRevenue = answers.contains { revenuePipes.contains($0.oracle.pipe) }
        guard !visitors.isEmpty || needsRevenue else { return answers }
        var visits = VisitorDetailsStorageOrder(visitors: visitors)
        var revenue = RevenueSumStorageOrder()
        let needed = (visitors.isEmpty ? [] : ["store_visits"]) + (needsRevenue ? ["ecommerce_events"] : [])
        forEachEvent(scenario, options: options, datasources: datasources.filter(needed.contains)) { _, event in
            switch event {
            case .visit(let visit): visits.consume(visit)
            case .commerce(let purchase): revenue.consume(purchase)
            case .touchpoint, .row: break
            }
        }
        return answers.map { answer in
            switch answer.oracle.pipe {
            case "visitor_details": return (answer.oracle, visits.ordered(answer.rows, parameters: answer.oracle.parameters))
            case let pipe where revenuePipes.contains(pipe): return (answer.oracle, revenue.ordered(answer.rows, pipe: pipe))
            default: return answer
            }
        }
    }

    static func createDirectory(_ path: String) throws(GenerateError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .file(.cannotCreateDirectory(path: path, reason: "\(error.localizedDescription)"))
        }
    }

    static func writeFile(_ path: String, _ text: String) throws(GenerateError) {
        do {
            let sink = try FileSink(path: path)
            defer { sink.close() }
            try sink.write(Array(text.utf8))
        } catch {
            throw .file(error)
        }
    }
}
