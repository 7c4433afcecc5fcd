import Testing
@testable import StarlingNet

@Suite(.timeLimit(.minutes(1))) struct FakeTargetTests {
    @Test func statusSequenceRetryAfterAndThenDefault() throws {
        let behavior = FakeTargetBehavior(responses: .sequence([.status(429), .status(503)], then: .ok), retryAfterSeconds: 2)
        let target = try FakeTarget(behavior: behavior)
        defer { target.stop() }
        let connection = try HTTPConnection(to: target.url)
        let first = try connection.send(HTTPRequest(path: "/"))
        #expect(first.status == 429)
        #expect(first.headers["Retry-After"] == "2")
        #expect(RetryPolicy().decide(attempt: 1, status: first.status, headers: first.headers, waitTrue: false)
            == .retry(after: .seconds(2)))
        #expect(try connection.send(HTTPRequest(path: "/")).status == 503)
        #expect(try connection.send(HTTPRequest(path: "/")).status == 200)
        #expect(target.stats.connections == 1)
    }

    @Test func weightedStatusesAreDeterministicPerSeed() {
        let behavior = FakeTargetBehavior(responses: .weighted([(action: .ok, weight: 3), (action: .status(500), weight: 1)], seed: 7))
        let actions = (0..<4000).map { behavior.action(forRequest: $0) }
        let errors = actions.filter { $0 == .status(500) }.count
        #expect((800...1200).contains(errors))
        #expect(actions == (0..<4000).map { behavior.action(forRequest: $0) })
    }

    @Test func droppedRequestClosesWithoutResponse() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .always(.drop)))
        defer { target.stop() }
        #expect(throws: TransportError.connectionClosed) { try HTTPConnection(to: target.url).send(HTTPRequest(path: "/")) }
        #expect(target.stats.dropped == 1)
    }

    @Test func eventsCountsNDJSONLinesPlainAndGzip() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let connection = try HTTPConnection(to: target.url)
        let ndjson = Array("{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}".utf8)
        let plain = try connection.send(EventsRequest(datasource: "ds", token: "t", body: ndjson).httpRequest)
        #expect(plain.status == 202)
        #expect(EventsResponse(body: plain.body).successfulRows == 3)
        let gzipped = EventsRequest(datasource: "ds", token: "t", wait: true, body: try Gzip.compress(ndjson), isGzipped: true)
        let answer = try connection.send(gzipped.httpRequest)
        #expect(answer.status == 200)
        #expect(EventsResponse(body: answer.body).successfulRows == 3)
        let missingName = try connection.send(HTTPRequest(method: .post, path: "/v0/events", body: ndjson))
        #expect(missingName.status == 400)
        #expect(target.stats.eventRows == 6)
        #expect(target.stats.eventRequests == 2)
    }

    @Test func stallWindowArithmetic() {
        let stall = FakeTargetBehavior.Stall(every: .seconds(10), for: .seconds(1))
        #expect(stall.remainingStall(at: .seconds(5)) == .zero)
        #expect(stall.remainingStall(at: .seconds(10)) == .seconds(1))
        #expect(stall.remainingStall(at: .milliseconds(10_250)) == .milliseconds(750))
        #expect(stall.remainingStall(at: .milliseconds(11_000)) == .zero)
        #expect(stall.remainingStall(at: .milliseconds(20_999)) == .milliseconds(1))
    }

    @Test func stallHoldsRequestsArrivingInTheWindow() throws {
        let stall = FakeTargetBehavior.Stall(every: .seconds(60), for: .milliseconds(600), firstAfter: .zero)
        let target = try FakeTarget(behavior: FakeTargetBehavior(stall: stall))
        defer { target.stop() }
        let started = ContinuousClock.now
        let response = try HTTPConnection(to: target.url).send(HTTPRequest(path: "/"))
        #expect(response.status == 200)
        #expect(target.stats.stalledRequests == 1)
        // Behaviour, not speed: the answer cannot come before the window closes.
        #expect(started.duration(to: .now) >= .milliseconds(500))
    }

    @Test func stopClosesOpenConnections() throws {
        let target = try FakeTarget()
        let connection = try HTTPConnection(to: target.url)
        #expect(try connection.send(HTTPRequest(path: "/")).status == 200)
        target.stop()
        #expect(throws: TransportError.self) { try connection.send(HTTPRequest(path: "/")) }
        #expect(throws: TransportError.self) { try HTTPConnection(to: target.url) }
    }

    @Test func pipesAnswerValidJSON() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let response = try HTTPClientPool().send(PipeRequest(pipe: "top_products", token: "t").httpRequest, to: target.url)
        let parsed = try PipeResponse(body: response.body)
        #expect(parsed.statistics.rows == 1)
        #expect(parsed.meta.first?.name == "n")
    }
}
