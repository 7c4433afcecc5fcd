import Foundation
import StarlingChecks
import StarlingJSON
import StarlingNet

/// The control-path calls the checks make: SQL counts and lookups, pipe answers, truncation.
/// Transient failures — 503, 429, a dropped connection, a timeout — are retried with backoff
/// (200 ms doubling to 3 s, `Retry-After` honoured) for up to `patience` seconds; only an answer
/// fails a check, and a target that never answers makes it `skipped` with the reason.
public struct TargetQueries: Sendable {
    let transport: any TargetTransport
    let token: String
    let clock: any RunClock
    var cancellation: RunCancellation?
    var patience = 30.0
    /// The largest pipe answer accepted (`run.pipe_answer_max_bytes`; nil: the connection's limit).
    public var maxAnswerBytes: Int?

    public init(transport: any TargetTransport, token: String, clock: any RunClock, cancellation: RunCancellation? = nil) {
        self.transport = transport
        self.token = token
        self.clock = clock
        self.cancellation = cancellation
    }

    /// Sends `request`; with `retrying`, transient failures are retried until `patience` runs out.
    func send(_ request: HTTPRequest, retrying: Bool = true) throws(QueryFailure) -> HTTPResponse {
        let deadline = clock.now() + UInt64(patience * 1e9)
        var backoff = 0.2
        var attempts = 0
        while true {
            attempts += 1
            var transient: String
            var wait = backoff
            do {
                let response = try transport.send(request, timeout: nil)
                guard response.status == 503 || response.status == 429 else { return response }
                transient = "\(response.status)"
                if let retryAfter = response.headers["retry-after"].flatMap(Double.init) { wait = max(wait, retryAfter) }
            } catch {
                transient = error.shortName
                if !retrying { throw .transport(error) }
            }
            let resume = clock.now() + UInt64(wait * 1e9)
            guard retrying, resume < deadline, cancellation?.isCancelled != true else {
                throw .neverAnswered(attempts: attempts, last: transient)
            }
            clock.sleep(until: resume, unless: cancellation)
            backoff = min(backoff * 2, 3)
        }
    }

    /// The `data` rows of a `FORMAT JSON` SQL answer.
    func sql(_ query: String, retrying: Bool = true) throws(QueryFailure) -> [[String: JSONValue]] {
        let response = try send(SQLRequest(sql: query + " FORMAT JSON", token: token).httpRequest, retrying: retrying)
        guard response.isSuccess else { throw .status(response.status, response.bodyText) }
        do {
            return try PipeRows.parse(response.body)
        } catch {
            throw .unreadable("\(error)")
        }
    }

    /// Rows in `datasource` now.
    func count(_ datasource: String) throws(QueryFailure) -> Int {
        let rows = try sql("SELECT count() AS n FROM \(datasource)")
        guard let n = rows.first?["n"]?.doubleValue else { throw .unreadable("no count in the answer") }
        return Int(n)
    }

    /// The pipe's JSON answer for `parameters`: the status and, on success, the rows and the
    /// server's `statistics` (nil when the answer has none).
    func pipe(_ pipe: String, parameters: PipeParameters) throws(QueryFailure)
        -> (status: Int, rows: [[String: JSONValue]], body: String, statistics: PipeStatistics?) {
        let request = PipeRequest(pipe: pipe, parameters: parameters.sorted, token: token, maxAnswerBytes: maxAnswerBytes)
        let response = try send(request.httpRequest)
        guard response.isSuccess else { return (response.status, [], response.bodyText, nil) }
        do {
            return (response.status, try PipeRows.parse(response.body), "", PipeStatistics.scan(response.body))
        } catch {
            throw .unreadable("\(error)")
        }
    }

    /// Only the `statistics` of the pipe's answer (for repeated cost queries), nil on any failure:
    /// such a repeat is left out, and the check's `QueryCost.queries` says how many answered.
    func statistics(_ pipe: String, parameters: PipeParameters) -> PipeStatistics? {
        let request = PipeRequest(pipe: pipe, parameters: parameters.sorted, token: token, maxAnswerBytes: maxAnswerBytes)
        guard let response = try? send(request.httpRequest, retrying: false), response.isSuccess else { return nil }
        return PipeStatistics.scan(response.body)
    }

    /// Runs a copy pipe now (`POST /v0/pipes/<pipe>/copy`) and waits for its job to finish, polling
    /// `GET /v0/jobs/<id>` every 200 ms while its status is `waiting` or `working` (Tinybird answers
    /// with a job; the local target runs the copy before answering `done`), up to `patience`.
    func copy(_ pipe: String) throws(QueryFailure) {
        let request = HTTPRequest(method: .post, path: "/v0/pipes/\(QueryString.encodeComponent(pipe))/copy", headers: QueryString.bearer(token))
        let response = try send(request)
        guard response.isSuccess else { throw .status(response.status, response.bodyText) }
        var job = try Self.job(in: response)["job"]
        let deadline = clock.now() + UInt64(patience * 1e9)
        while true {
            let status = job?["status"]?.stringValue ?? "done"
            if status == "done" { return }
            if status == "error" || status == "cancelled" {
                throw .status(response.status, "copy job \(status): \(job?["error"]?.stringValue ?? "")")
            }
            guard let id = job?["id"]?.stringValue ?? job?["job_id"]?.stringValue else { return }
            guard clock.now() < deadline, cancellation?.isCancelled != true else {
                throw .neverAnswered(attempts: 1, last: "copy job \(id) still \(status)")
            }
            clock.sleep(until: clock.now() + 200_000_000, unless: cancellation)
            let poll = try send(HTTPRequest(method: .get, path: "/v0/jobs/\(QueryString.encodeComponent(id))", headers: QueryString.bearer(token)))
            guard poll.isSuccess else { throw .status(poll.status, poll.bodyText) }
            job = try Self.job(in: poll)
        }
    }

    /// A copy's (or its job's) JSON answer; a 2xx that is not JSON is no proof the copy ran.
    static func job(in response: HTTPResponse) throws(QueryFailure) -> JSONValue {
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw .unreadable("the copy answered \(response.status) with \(error)")
        }
    }

    /// Runs every copy pipe in turn; the failures, one line each (`pipe: reason`).
    public func runCopies(_ pipes: [String]) -> [String] {
        pipes.compactMap { pipe -> String? in
            do {
                try copy(pipe)
                return nil
            } catch {
                return "\(pipe): \(error)"
            }
        }
    }

    /// `POST /v0/datasources/<ds>/truncate`.
    func truncate(_ datasource: String) throws(QueryFailure) {
        let request = HTTPRequest(method: .post, path: "/v0/datasources/\(datasource)/truncate", headers: QueryString.bearer(token))
        let response = try send(request)
        guard response.isSuccess else { throw .status(response.status, response.bodyText) }
    }
}

/// Why a control query gave no usable answer.
enum QueryFailure: Error, CustomStringConvertible {
    /// The target answered with this status (not a transient one).
    case status(Int, String)
    /// The request failed below HTTP (not retried).
    case transport(TransportError)
    /// Only transient failures until the patience ran out.
    case neverAnswered(attempts: Int, last: String)
    /// An answer that is not the expected JSON.
    case unreadable(String)

    var description: String {
        switch self {
        case let .status(status, body): return "HTTP \(status): \(body.prefix(300))"
        case let .transport(error): return error.description
        case let .neverAnswered(attempts, last): return "the target never answered (\(attempts) attempts, the last: \(last))"
        case let .unreadable(reason): return "unreadable answer: \(reason)"
        }
    }
}
