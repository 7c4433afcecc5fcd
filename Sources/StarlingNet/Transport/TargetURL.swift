/// An `http` or `https` URL of a target: scheme, host, port and base path.
///
/// `http://localhost:7181`, `https://api.tinybird.co`, `http://[::1]:8080/prefix`. The base path is
/// prepended to every API path (`/prefix/v0/events`). Query strings and fragments are rejected:
/// the API clients add their own.
public struct TargetURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http, https

        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// Host name or IP literal, without brackets (`::1`, not `[::1]`).
    public var host: String
    public var port: Int
    /// Empty, or a path starting with `/` and not ending with `/`.
    public var basePath: String

    public init(scheme: Scheme, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
        self.basePath = TargetURL.normalizedBasePath(basePath)
    }

    /// Parses `http[s]://host[:port][/base/path]`.
    public init(parsing text: String) throws(TargetURLError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw .missingScheme(text) }
        let schemeText = text[..<schemeEnd.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else { throw .unsupportedScheme(String(schemeText)) }
        var rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") { throw .hasQueryOrFragment(text) }
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        let path = String(rest[pathStart...])
        rest = rest[..<pathStart]
        if rest.contains("@") { throw .hasCredentials }
        let host: String
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badHost(String(rest)) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badHost(String(rest)) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
            if host.contains(":") { throw .badHost(String(rest)) }
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw .missingHost(text) }
        guard !host.contains(" ") else { throw .badHost(String(rest)) }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .badPort(String(portText)) }
            port = value
        }
        self.init(scheme: scheme, host: host, port: port, basePath: path)
    }

    /// The value of the `Host` header: the port is omitted when it is the scheme's default.
    public var hostHeader: String {
        let name = TargetURL.hostForDisplay(host)
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(hostHeader)\(basePath)" }

    /// Brackets IPv6 literals for display and Host headers.
    static func hostForDisplay(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }

    static func normalizedBasePath(_ path: String) -> String {
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty && !path.hasPrefix("/") { path = "/" + path }
        return path
    }
}

public enum TargetURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingScheme(String)
    case unsupportedScheme(String)
    case hasQueryOrFragment(String)
    case hasCredentials
    case missingHost(String)
    case badHost(String)
    case badPort(String)

    public var description: String {
        switch self {
        case let .missingScheme(text):
            return "target URL '\(text)' has no scheme — write it as http://host:port or https://host"
        case let .unsupportedScheme(scheme):
            return "target URL scheme '\(scheme)' is not supported — use http or https"
        case let .hasQueryOrFragment(text):
            return "target URL '\(text)' must not contain '?' or '#' — give only scheme, host, port and base path"
        case .hasCredentials:
            return "target URL must not contain credentials — pass the token with --token or TB_TOKEN"
        case let .missingHost(text):
            return "target URL '\(text)' has no host — write it as http://host:port or https://host"
        case let .badHost(host):
            return "target URL host '\(host)' is not valid — IPv6 literals go in brackets, e.g. http://[::1]:7181"
        case let .badPort(port):
            return "target URL port '\(port)' is not a number between 1 and 65535"
        }
    }
}
