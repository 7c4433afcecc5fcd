/// A field spec written back as scenario JSON (what `starling init --project` spells out), keys in a
/// readable order: the kind first, then its modifiers. `FieldSpec(reading:)` reads it back equal.
extension FieldSpec {
    public var jsonText: String {
        switch self {
        case .time: return #"{"time": true}"#
        case .uuid: return #"{"uuid": true}"#
        case .entity(let e):
            return "{\"entity\": \(Self.quoted(e.name)), \"count\": \(e.count), \"popularity\": {\"zipf\": \(SpecLiteral.text(of: e.zipf))}, \"format\": \(Self.quoted(e.format))}"
        case .attribute(let entity, let inner):
            let body = inner.jsonText.dropFirst()  // "{" of the inner object
            return "{\"attribute_of\": \(Self.quoted(entity)), \(body)"
        case .oneOf(let values, let weights):
            if values.allSatisfy({ if case .string = $0 { true } else { false } }), Set(values).count == values.count {
                let pairs = zip(values, weights).map { "\(Self.quoted($0.description)): \(SpecLiteral.text(of: $1))" }
                return "{\"one_of\": {\(pairs.joined(separator: ", "))}}"
            }
            return "{\"one_of\": [\(values.map(\.jsonText).joined(separator: ", "))], \"weights\": [\(weights.map(SpecLiteral.text(of:)).joined(separator: ", "))]}"
        case .number(let n):
            var parts: [String]
            switch n.distribution {
            case .uniform(let lo, let hi): parts = ["\"range\": [\(SpecLiteral.text(of: lo)), \(SpecLiteral.text(of: hi))]"]
            case .normal(let mean, let sd): parts = ["\"normal\": {\"mean\": \(SpecLiteral.text(of: mean)), \"sd\": \(SpecLiteral.text(of: sd))}"]
            case .logNormal(let median, let sigma): parts = ["\"lognormal\": {\"median\": \(SpecLiteral.text(of: median)), \"sigma\": \(SpecLiteral.text(of: sigma))}"]
            case .poisson(let mean): parts = ["\"poisson\": \(SpecLiteral.text(of: mean))"]
            }
            if n.decimals > 0 { parts.append("\"decimals\": \(n.decimals)") }
            if let min = n.min { parts.append("\"min\": \(SpecLiteral.text(of: min))") }
            if let max = n.max { parts.append("\"max\": \(SpecLiteral.text(of: max))") }
            return "{\(parts.joined(separator: ", "))}"
        case .bool(let rate): return "{\"bool\": \(SpecLiteral.text(of: rate))}"
        case .template(let text): return "{\"template\": \(Self.quoted(text))}"
        case .fake(let kind): return "{\"fake\": \(Self.quoted(kind.rawValue))}"
        case .arrayOf(let item, let length): return "{\"array_of\": \(item.jsonText), \"length\": [\(length.lowerBound), \(length.upperBound)]}"
        case .json(let fields): return "{\"json\": {\(fields.map { "\(Self.quoted($0.key)): \($0.spec.jsonText)" }.joined(separator: ", "))}}"
        case .constant(let literal): return "{\"value\": \(literal.jsonText)}"
        case .nullable(.constant, 1):
            return #"{"value": null}"#
        case .nullable(let inner, let rate):
            return String(inner.jsonText.dropLast()) + ", \"null_rate\": \(SpecLiteral.text(of: rate))}"
        }
    }

    /// A JSON string literal, escaped by the NDJSON writer's own code (`EncodedText`).
    static func quoted(_ text: String) -> String {
        String(decoding: EncodedText(text).forms.json, as: UTF8.self)
    }
}

extension SpecLiteral {
    var jsonText: String {
        switch self {
        case .string(let s): return FieldSpec.quoted(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        }
    }
}
