import StarlingProject

/// Defaults from a column's type and name, for columns a scenario gives no spec: `*_id` → entity
/// ids with Zipf popularity, `country` → countries weighted by traffic, `price` → log-normal money,
/// `is_*` → booleans, `LowCardinality(String)` → a small weighted set, and so on.
extension FieldSpec {
    /// The inferred spec, or nil when Starling has no generator for the column's type (the caller
    /// asks for a spec, naming the column).
    public static func inferred(name: String, type: ColumnType) -> FieldSpec? {
        if type.isNullable, let inner = inferred(name: name, type: type.base) {
            return .nullable(inner, rate: 0.05)
        }
        let name = name.lowercased()
        func ends(_ suffixes: String...) -> Bool { suffixes.contains { name == $0 || name.hasSuffix("_" + $0) } }
        func has(_ words: String...) -> Bool { words.contains { name.contains($0) } }
        switch type.base {
        case .date, .dateTime, .dateTime64:
            return .time
        case .uuid:
            return .uuid
        case .bool:
            return .bool(rate: 0.3)
        case .enumeration(let values):
            return .oneOf(values.map { .string($0) }, weights: Self.zipfWeights(values.count))
        case .array(let item):
            let singular = name.hasSuffix("s") ? String(name.dropLast()) : name
            return inferred(name: singular, type: item).map { .arrayOf($0, length: 0...3) }
        case .map(_, let value):
            return inferred(name: name, type: value).map { .json([(key: "\(name)_a", spec: $0), (key: "\(name)_b", spec: $0)]) }
        case .string, .fixedString, .lowCardinality:
            return inferredText(name: name, lowCardinality: type.isLowCardinality, ends: ends, has: has)
        case .integer(let bits, let signed):
            if name.hasPrefix("is_") || name.hasPrefix("has_") { return .oneOf([.number("0"), .number("1")], weights: [0.7, 0.3]) }
            let top = bits >= 32 ? 1_000_000_000.0 : Double((1 << (bits - (signed ? 1 : 0))) - 1)
            if has("duration", "latency", "elapsed") || ends("ms", "seconds", "secs") {
                return .number(NumberSpec(.logNormal(median: ends("ms") ? 1200 : 30, sigma: 1), min: 0, max: top))
            }
            if has("count", "quantity", "qty", "items", "units") { return .number(NumberSpec(.poisson(mean: 2), min: 1, max: top)) }
            if has("price", "amount", "revenue", "total", "cost", "cents") { return .number(NumberSpec(.logNormal(median: 2500, sigma: 0.8), min: 1, max: top)) }
            if ends("age") { return .number(NumberSpec(.normal(mean: 38, sd: 12), min: 13, max: min(90, top))) }
            if ends("year") { return .number(NumberSpec(.uniform(min: 2015, max: min(2025, top)))) }
            if has("status") { return .oneOf(["200", "200", "304", "404", "500"].map { .number($0) }, weights: [0.8, 0.05, 0.08, 0.05, 0.02]) }
            return .number(NumberSpec(.uniform(min: signed ? -min(100, top) : 0, max: min(1000, top))))
        case .float, .decimal:
            var decimals = 2
            if case .decimal(_, let scale) = type.base { decimals = min(scale, 9) }
            if has("price", "amount", "revenue", "total", "cost", "spend", "value") {
                return .number(NumberSpec(.logNormal(median: 30, sigma: 0.8), decimals: min(decimals, 2), min: 0.01))
            }
            if ends("lat", "latitude") { return .number(NumberSpec(.uniform(min: -55, max: 70), decimals: min(decimals, 5))) }
            if ends("lon", "lng", "longitude") { return .number(NumberSpec(.uniform(min: -180, max: 180), decimals: min(decimals, 5))) }
            if has("percent", "pct") { return .number(NumberSpec(.uniform(min: 0, max: 100), decimals: min(decimals, 1))) }
            if has("rate", "ratio", "score", "probability") { return .number(NumberSpec(.uniform(min: 0, max: 1), decimals: min(decimals, 3))) }
            if has("duration", "latency", "elapsed") { return .number(NumberSpec(.logNormal(median: 1.2, sigma: 1), decimals: min(decimals, 3), min: 0)) }
            return .number(NumberSpec(.normal(mean: 100, sd: 25), decimals: decimals))
        case .other(let text) where text == "IPv4":
            return .fake(.ipv4)
        default:
            return nil
        }
    }

    static func inferredText(name: String, lowCardinality: Bool, ends: (String...) -> Bool, has: (String...) -> Bool) -> FieldSpec {
        if ends("session_id") { return .template("session_{n}") }
        if name == "id" || ends("event_id", "uuid", "request_id", "trace_id") { return .uuid }
        if ends("country", "country_code") { return .fake(.country) }
        if ends("city") { return .fake(.city) }
        if ends("email") { return .fake(.email) }
        if ends("referrer", "referer") { return .fake(.referrer) }
        if ends("url", "href", "link") { return .fake(.url) }
        if ends("pathname", "path", "page") { return .fake(.pathname) }
        if ends("ip", "ip_address", "client_ip") { return .fake(.ipv4) }
        if ends("user_agent", "useragent", "ua") { return .fake(.userAgent) }
        if let vocabulary = vocabulary(name: name, ends: ends) { return vocabulary }
        if ends("browser") { return .fake(.browser) }
        if ends("os", "platform") { return .fake(.os) }
        if ends("device", "device_type") { return .fake(.device) }
        if ends("language", "locale", "lang") { return .fake(.language) }
        if ends("domain", "host", "hostname") { return .fake(.domain) }
        if ends("name", "first_name") && !lowCardinality { return .fake(.name) }
        if name.hasSuffix("_id") {
            let entity = String(name.dropLast(3))
            return .entity(EntitySpec(name: entity, count: 10_000, zipf: 1.0, format: "\(entity)_{n}"))
        }
        if lowCardinality || has("type", "kind", "category", "status", "channel", "source", "medium", "plan", "tier", "action") {
            let values = (1...6).map { SpecLiteral.string("\(name)_\($0)") }
            return .oneOf(values, weights: zipfWeights(values.count))
        }
        return .entity(EntitySpec(name: name, count: 1_000, zipf: 1.0, format: "\(name)_{n}"))
    }

    /// Realistic values of text columns named for a well-known vocabulary: HTTP methods and status
    /// codes, log levels, currencies, environments, services, browsers, systems, devices, user agents and
    /// coordinates, instead of `<column>_{n}`.
    static func vocabulary(name: String, ends: (String...) -> Bool) -> FieldSpec? {
        func weighted(_ values: [String], _ weights: [Double]) -> FieldSpec { .oneOf(values.map { .string($0) }, weights: weights) }
        // Names written without underscores (`browsername`, `osname`, `devicetype`, `useragent`).
        let compact = String(name.filter { $0 != "_" })
        if compact.hasSuffix("useragent") { return .fake(.userAgent) }
        if compact.hasSuffix("browsername") { return .fake(.browser) }
        if compact == "osname" { return .fake(.os) }
        if compact.hasSuffix("devicetype") { return .fake(.device) }
        // Coordinates kept as text: a number written as a string.
        if ends("latitude", "lat") { return .number(NumberSpec(.uniform(min: -55, max: 70), decimals: 5)) }
        if ends("longitude", "lon", "lng") { return .number(NumberSpec(.uniform(min: -180, max: 180), decimals: 5)) }
        if ends("method", "http_method", "request_method") {
            return weighted(["GET", "POST", "PUT", "DELETE", "PATCH"], [0.7, 0.18, 0.05, 0.04, 0.03])
        }
        if ends("status", "status_code", "http_status", "response_code") {
            return weighted(["200", "201", "204", "301", "304", "400", "401", "403", "404", "500", "502", "503"],
                            [0.62, 0.06, 0.03, 0.02, 0.08, 0.03, 0.03, 0.02, 0.06, 0.03, 0.01, 0.01])
        }
        if ends("level", "log_level", "severity") { return weighted(["INFO", "DEBUG", "WARN", "ERROR"], [0.6, 0.2, 0.12, 0.08]) }
        if ends("currency", "currency_code") { return weighted(["USD", "EUR", "GBP", "JPY", "CAD", "AUD"], [0.45, 0.25, 0.1, 0.08, 0.07, 0.05]) }
        if ends("environment", "env") { return weighted(["production", "staging", "development"], [0.7, 0.2, 0.1]) }
        if ends("service", "service_name") {
            return weighted(["api", "web", "auth", "payments", "search", "worker"], [0.3, 0.25, 0.15, 0.1, 0.1, 0.1])
        }
        return nil
    }

    /// 1, 1/2, 1/3…: a few common values and a tail.
    static func zipfWeights(_ count: Int) -> [Double] {
        (1...max(count, 1)).map { (1 / Double($0) * 1000).rounded() / 1000 }
    }
}
