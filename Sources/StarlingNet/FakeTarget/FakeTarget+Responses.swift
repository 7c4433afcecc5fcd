import Synchronization

extension FakeTarget {
    /// Appends the scripted response for `request` to `output`.
    static func respond(to request: FakeRequest, action: FakeTargetBehavior.Action, number: Int,
                        behavior: FakeTargetBehavior, counters: FakeTargetCounters, into output: inout [UInt8]) {
        var status = 200
        if case let .status(code) = action { status = code }
        let (path, query) = splitQuery(request.path)
        var body: String
        var contentType = "application/json"
        if !(200..<300).contains(status) {
            body = "{\"error\":\"fake target scripted status \(status)\"}"
        } else if path.hasSuffix("/v0/events") {
            (status, body) = events(request, query: query, scripted: action, counters: counters, keepBody: behavior.keepsEventBodies)
        } else if path.contains("/v0/pipes/") || path.hasSuffix("/v0/sql") {
            body = pipeBody(rows: behavior.pipeRows)
            if behavior.keepsPipeRequests, path.contains("/v0/pipes/") { counters.pipeRequests.withLock { $0.append(String(request.path)) } }
        } else {
            body = "ok"
            contentType = "text/plain"
        }
        output.append(contentsOf: "HTTP/1.1 \(status) \(reason(status))\r\nContent-Type: \(contentType)\r\n".utf8)
        output.append(contentsOf: "x-request-id: \(number)\r\n".utf8)
        if let retryAfter = behavior.retryAfterSeconds, status == 429 || status == 503 {
            output.append(contentsOf: "Retry-After: \(retryAfter)\r\n".utf8)
        }
        if !request.keepAlive { output.append(contentsOf: "Connection: close\r\n".utf8) }
        guard behavior.chunkedBodies else {
            output.append(contentsOf: "Content-Length: \(body.utf8.count)\r\n\r\n".utf8)
            output.append(contentsOf: body.utf8)
            return
        }
        output.append(contentsOf: "Transfer-Encoding: chunked\r\n\r\n".utf8)
        var rest = Substring(body).utf8[...]
        while !rest.isEmpty {
            let chunk = rest.prefix(1000)
            output.append(contentsOf: "\(String(chunk.count, radix: 16))\r\n".utf8)
            output.append(contentsOf: chunk)
            output.append(contentsOf: "\r\n".utf8)
            rest = rest.dropFirst(chunk.count)
        }
        output.append(contentsOf: "0\r\n\r\n".utf8)
    }

    /// A ClickHouse `FORMAT JSON` body with `rows` rows of one UInt64 column `n`.
    static func pipeBody(rows: Int) -> String {
        let data = (0..<rows).map { "{\"n\":\($0)}" }.joined(separator: ",")
        return "{\"meta\":[{\"name\":\"n\",\"type\":\"UInt64\"}],\"data\":[\(data)],\"rows\":\(rows),"
            + "\"statistics\":{\"elapsed\":0.000125,\"rows_read\":\(rows),\"bytes_read\":\(rows * 8)}}"
    }

    /// `/v0/events`: 400 without `name`, else 202 (200 with `wait=true`) and the NDJSON row count.
    private static func events(_ request: FakeRequest, query: [Substring: Substring],
                               scripted: FakeTargetBehavior.Action, counters: FakeTargetCounters, keepBody: Bool) -> (Int, String) {
        guard request.method == "POST" else { return (405, "{\"error\":\"use POST for /v0/events\"}") }
        guard let name = query["name"], !name.isEmpty else {
            return (400, "{\"error\":\"The 'name' parameter is required\"}")
        }
        let ndjson: [UInt8]
        if request.gzip {
            guard let inflated = try? Gzip.decompress(Array(request.body)) else {
                return (400, "{\"error\":\"invalid gzip body\"}")
            }
            ndjson = inflated
        } else {
            ndjson = Array(request.body)
        }
        let rows = countLines(ndjson)
        counters.eventRequests.add(1, ordering: .relaxed)
        counters.eventRows.add(rows, ordering: .relaxed)
        if keepBody { counters.acknowledgedBodies.withLock { $0.append(ndjson) } }
        var status = query["wait"] == "true" ? 200 : 202
        if case let .status(code) = scripted { status = code }
        return (status, "{\"successful_rows\":\(rows),\"quarantined_rows\":0}")
    }

    /// Non-empty lines.
    static func countLines(_ bytes: [UInt8]) -> Int {
        var lines = 0
        var lineHasContent = false
        for byte in bytes {
            if byte == 10 {
                if lineHasContent { lines += 1 }
                lineHasContent = false
            } else if byte != 13 && byte != 32 {
                lineHasContent = true
            }
        }
        return lineHasContent ? lines + 1 : lines
    }

    static func splitQuery(_ target: Substring) -> (Substring, [Substring: Substring]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [Substring: Substring] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return (target[..<mark], query)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
