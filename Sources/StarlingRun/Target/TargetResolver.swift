import Foundation
import StarlingJSON
import StarlingNet

/// Where a run sends its requests: the bundled local target (started and stopped by the run), or a
/// URL (Tinybird Local, Tinybird Cloud, any compatible API) with a token.
public enum TargetChoice: Sendable, Equatable {
    case local
    case url(String)
    /// Starling's in-process fake target answering every request after `latency` seconds: for
    /// measuring Starling itself and for regression benchmarks with little noise. It stores nothing,
    /// so no checks run against it.
    case fake(latency: Double)

    /// Checks what can be checked without contacting anything (a URL's syntax).
    public func validate() throws(TargetError) {
        guard case .url(let text) = self else { return }
        do { _ = try TargetURL(parsing: text) } catch { throw .invalidURL(text, reason: error.description) }
    }

    public init(_ text: String, fakeLatency: Double = 0) {
        switch text {
        case "local": self = .local
        case "fake": self = .fake(latency: fakeLatency)
        default: self = .url(text)
        }
    }
}

/// A target ready to use; `close()` stops a local target.
public struct ResolvedTarget: Sendable {
    public var url: TargetURL
    public var token: String
    public var local: LocalTarget?
    public var fake: FakeTarget?

    public func close() {
        local?.stop()
        fake?.stop()
    }
}

public enum TargetResolver {
    /// Starts or checks the target. For a URL: the token comes from `token`, else `TB_TOKEN`, else
    /// (for Tinybird Local) its `/tokens`; the target must answer HTTP at all (one line if not).
    public static func resolve(_ choice: TargetChoice, token: String?, local: LocalTarget.Options,
                               cancellation: RunCancellation? = nil) throws(TargetError) -> ResolvedTarget {
        switch choice {
        case .local:
            let target = try LocalTarget.start(local, cancellation: cancellation)
            return ResolvedTarget(url: target.url, token: target.token, local: target)
        case .fake(let latency):
            let behavior = FakeTargetBehavior(latency: latency > 0 ? .fixed(.nanoseconds(Int64(latency * 1e9))) : .none)
            let fake: FakeTarget
            do { fake = try FakeTarget(behavior: behavior) } catch { throw .localTargetFailed("the fake target did not start: \(error)") }
            return ResolvedTarget(url: fake.url, token: "fake", local: nil, fake: fake)
        case .url(let text):
            let url: TargetURL
            do { url = try TargetURL(parsing: text) } catch { throw .invalidURL(text, reason: error.description) }
            let pool = HTTPClientPool(options: HTTPClientOptions(connectTimeout: .seconds(5), readTimeout: .seconds(10)))
            defer { pool.closeIdle() }
            let probe: HTTPResponse
            do {
                probe = try pool.send(HTTPRequest(method: .get, path: "/tokens"), to: url)
            } catch {
                throw .unreachable(url: url.description, reason: error.description)
            }
            if let token, !token.isEmpty {
                return ResolvedTarget(url: url, token: try checked(token, from: "--token"), local: nil, fake: nil)
            }
            if let token = ProcessInfo.processInfo.environment["TB_TOKEN"], !token.isEmpty {
                return ResolvedTarget(url: url, token: try checked(token, from: "TB_TOKEN"), local: nil, fake: nil)
            }
            // Tinybird Local answers /tokens without auth; its workspace admin token is the one to use.
            if probe.status == 200, let body = try? JSONValue.parse(probe.body),
               let token = body["workspace_admin_token"]?.stringValue, !token.isEmpty {
                return ResolvedTarget(url: url, token: try checked(token, from: "\(url)/tokens"), local: nil, fake: nil)
            }
            throw .missingToken
        }
    }

    /// `token`, which goes into a header, when it has no control character (CR, LF, NUL…): one
    /// with a line break would end the `Authorization` header and inject others.
    static func checked(_ token: String, from source: String) throws(TargetError) -> String {
        guard token.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { throw .invalidToken(source: source) }
        return token
    }

    /// `POST /v0/datasources/<ds>/truncate` on the target.
    public static func truncate(_ datasource: String, transport: any TargetTransport, token: String) throws(TargetError) {
        do {
            try TargetQueries(transport: transport, token: token, clock: SystemClock()).truncate(datasource)
        } catch {
            throw .truncateFailed(datasource: datasource, reason: error.description)
        }
    }
}
