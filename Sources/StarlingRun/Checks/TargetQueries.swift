import Foundation
import StarlingChecks
import StarlingNet

/// The control-path calls the checks make: SQL counts and lookups, pipe answers, truncation.
struct TargetQueries: Sendable {
    let pool: HTTPClientPool
    let target: TargetURL
    let token: String

    /// The `data` rows of a `FORMAT JSON` SQL answer.
    func sql(_ query: String) throws -> [[String: ResultValue]] {
        let response = try pool.send(SQLRequest(sql: query + " FORMAT JSON", token: token).httpRequest, to: target)
        guard response.isSuccess else { throw QueryFailure(status: response.status, body: response.bodyText) }
        return try StarlingChecks.PipeResponse.rows(fromJSON: Data(response.body))
    }

    /// Rows in `datasource` now.
    func count(_ datasource: String) throws -> Int {
        let rows = try sql("SELECT count() AS n FROM \(datasource)")
        return Int(rows.first?["n"]?.numeric ?? -1)
    }

    /// The pipe's JSON answer for `parameters`: the status and, on success, the rows.
    func pipe(_ pipe: String, parameters: PipeParameters) throws -> (status: Int, rows: [[String: ResultValue]], body: String) {
        let request = PipeRequest(pipe: pipe, parameters: parameters.sorted, token: token)
        let response = try pool.send(request.httpRequest, to: target)
        guard response.isSuccess else { return (response.status, [], response.bodyText) }
        return (response.status, try StarlingChecks.PipeResponse.rows(fromJSON: Data(response.body)), "")
    }

    /// `POST /v0/datasources/<ds>/truncate`.
    func truncate(_ datasource: String) throws {
        let request = HTTPRequest(method: .post, path: "/v0/datasources/\(datasource)/truncate", headers: QueryString.bearer(token))
        let response = try pool.send(request, to: target)
        guard response.isSuccess else { throw QueryFailure(status: response.status, body: response.bodyText) }
    }
}

struct QueryFailure: Error, CustomStringConvertible {
    let status: Int
    let body: String
    var description: String { "HTTP \(status): \(body.prefix(300))" }
}
