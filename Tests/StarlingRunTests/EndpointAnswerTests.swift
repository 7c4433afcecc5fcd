import Foundation
import StarlingDisk
import Testing
import StarlingProject
import StarlingMetrics
import StarlingNet
import StarlingSim
@testable import StarlingRun

/// What the run keeps of endpoints' answers: error texts without the token, empty answers, the
/// default error-rate threshold per queried pipe, and SQL whose answer the data does not decide.
@Suite struct EndpointAnswerTests {
    @Test func errorTextsAreOneLineWithoutTheToken() {
        let body = Array(#"{"error": "[Error] Missing columns: 'x'\n\tread with token p.secret123 \u001b[31m"}"#.utf8)
        let line = ServerErrorText.line(status: 400, body: body, token: "p.secret123")
        #expect(line == "HTTP 400: [Error] Missing columns: 'x' read with token <token> [31m")
        #expect(ServerErrorText.line(status: 502, body: Array("<html>bad gateway</html>".utf8), token: "t0k3n") == "HTTP 502: <html>bad gateway</html>")
        #expect(ServerErrorText.line(status: 500, body: [], token: "t0k3n") == "HTTP 500")
        let long = ServerErrorText.clean(String(repeating: "a", count: 1000), token: "zzzz")
        #expect(long.count == ServerErrorText.limit && long.hasSuffix("…"))
    }

    @Test func answersKeepBoundedMessagesAndTheFirstEmptyParameters() {
        var stats = ServerStatistics()
        stats.add(ServerStatistics(statistics: PipeStatistics(rows: 0, elapsedSeconds: 0.01, rowsRead: 5, bytesRead: 50), parameters: "a=1"))
        stats.add(ServerStatistics(statistics: PipeStatistics(rows: 3, elapsedSeconds: 0.01, rowsRead: 5, bytesRead: 50), parameters: "a=2"))
        stats.add(ServerStatistics(statistics: PipeStatistics(rows: 0, elapsedSeconds: 0.01, rowsRead: 5, bytesRead: 50), parameters: "a=3"))
        #expect(stats.answers == 3 && stats.emptyAnswers == 2 && stats.emptyParameters == "a=1")
        for i in 0..<(ServerStatistics.maxMessages + 5) { stats.record(error: "HTTP 400: message \(i)") }
        stats.record(error: "HTTP 400: message 0")
        #expect(stats.errorMessages.count == ServerStatistics.maxMessages + 1)
        #expect(stats.errorMessages[ServerStatistics.otherMessages] == 5 && stats.errorMessages["HTTP 400: message 0"] == 2)
    }

    func summary(queries: [String: (count: UInt64, errors: Int)]) -> RunSummary {
        var streams: [String: StreamSummary] = [:]
        var summaries: [String: QuerySummary] = [:]
        for (pipe, q) in queries {
            var histogram = HDRHistogram()
            histogram.record(1000, count: q.count)
            streams["query.\(pipe)"] = StreamSummary(histogram, errors: q.errors)
            summaries[pipe] = QuerySummary(offeredPerSecond: 1, achievedPerSecond: 1, errors: q.errors > 0 ? ["400": q.errors] : [:],
                                           serverElapsedMs: nil, serverRowsRead: nil, serverBytesRead: nil)
        }
        return RunSummary(scenario: "s", seed: 1, shard: "0/1", target: "local", startedAt: "", plannedSeconds: 1, elapsedSeconds: 1,
                          valid: true, invalidReasons: [], stoppedEarly: nil,
                          ingest: IngestSummary(ledger: LedgerCounts(), offeredEventsPerSecond: 0, achievedEventsPerSecond: 0, requests: 0, gzip: false,
                                                wait: false, maxInFlight: 1, batchMaxEvents: 1, errors: [:], deadLetterFile: nil, deadLetterLines: 0),
                          streams: streams, scheduleLag: [:], queries: summaries)
    }

    @Test func everyQueriedPipeHasADefaultErrorRateThresholdTheScenarioCanOverride() throws {
        let s = summary(queries: ["good": (99, 1), "bad": (90, 10)])
        #expect(MetricCatalogue.value("query.bad.errors.rate", in: s)?.value == 10)
        #expect(MetricCatalogue.value("query.good.errors.rate", in: s)?.value == 1)
        #expect(MetricCatalogue.value("query.none.errors.rate", in: s) == nil)
        let results = ThresholdEvaluator.evaluate([], summary: s)
        #expect(results.map(\.metric) == ["query.bad.errors.rate", "query.good.errors.rate"])
        #expect(results.map(\.passed) == [false, true], "1% passes, 10% fails")
        let relaxed = try #require(Threshold(metric: "query.bad.errors.rate", condition: "< 20%"))
        let overridden = ThresholdEvaluator.evaluate([relaxed], summary: s)
        #expect(overridden.map(\.metric) == ["query.bad.errors.rate", "query.good.errors.rate"] && overridden.allSatisfy(\.passed))
    }

    @Test func sqlWhoseAnswerTheDataDoesNotDecideIsRecognised() {
        #expect(Undetermined.construct(in: ["SELECT a FROM t ORDER BY rand() LIMIT 3"]) == "rand…()")
        #expect(Undetermined.construct(in: ["SELECT k, any(v) FROM t GROUP BY k"]) == "any…()")
        #expect(Undetermined.construct(in: ["SELECT k, anySimpleState(payload) AS p FROM t GROUP BY k"]) == "any…()")
        #expect(Undetermined.construct(in: ["SELECT k, argMax(v, ts) FROM t GROUP BY k"]) == "argmax…()")
        #expect(Undetermined.construct(in: ["SELECT k FROM t ORDER BY k LIMIT 2 BY k"]) == "LIMIT … BY")
        #expect(Undetermined.construct(in: ["SELECT company, count() FROM t GROUP BY company ORDER BY company LIMIT 10"]) == nil,
                "`company` holds `any` but calls nothing")
        #expect(Undetermined.construct(in: ["SELECT uniqMerge(v), sum(x) FROM t GROUP BY k ORDER BY k"]) == nil)
    }

    @Test func aViewUpstreamThatKeepsAnyRowLeavesTheEndpointUndetermined() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-undetermined-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "datasources/hits.datasource": "SCHEMA >\n    `ts` DateTime,\n    `session_id` String,\n    `device` String\n",
            "datasources/sessions.datasource": "SCHEMA >\n    `session_id` String,\n    `device` SimpleAggregateFunction(any, String)\n\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"session_id\"\n",
            "materializations/sessions_mv.pipe": "NODE n\nSQL >\n    SELECT session_id, anySimpleState(device) AS device FROM hits GROUP BY session_id\n\nTYPE materialized\nDATASOURCE sessions\n",
            "endpoints/devices.pipe": "NODE n\nSQL >\n    SELECT device, count() AS n FROM sessions GROUP BY device ORDER BY n DESC, device\n\nTYPE endpoint\n",
            "endpoints/hits_per_device.pipe": "NODE n\nSQL >\n    SELECT device, count() AS n FROM hits GROUP BY device ORDER BY n DESC, device\n\nTYPE endpoint\n",
        ]
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let found = Undetermined.constructs(in: try ProjectFolder(path: folder.path))
        #expect(found == ["devices": "any…()"], "the endpoint reading the view's target, not the one reading the raw rows")
    }
}
