import StarlingJSON

/// Reading a field spec from a scenario: one object whose distinguishing key names the kind
/// (`entity`, `attribute_of`, `one_of`, `range`, `normal`, `lognormal`, `poisson`, `bool`, `uuid`,
/// `template`, `fake`, `array_of`, `json`, `value`, `time`), plus modifiers (`null_rate`, `decimals`,
/// `min`, `max`…). Unknown keys and bad values name their JSON path.
extension FieldSpec {
    static let kinds = ["entity", "attribute_of", "one_of", "range", "normal", "lognormal", "poisson", "bool", "uuid",
                        "template", "fake", "array_of", "json", "value", "time"]

    public init(reading value: JSONValue, path: String) throws(ScenarioError) {
        var reader = try ObjectReader(value, path: path)
        self = try Self.read(&reader)
        try reader.finish()
    }

    static func read(_ reader: inout ObjectReader) throws(ScenarioError) -> FieldSpec {
        let present = kinds.filter { reader.keys.contains($0) }
        let nullRate = try reader.probability("null_rate", default: 0)
        var spec: FieldSpec
        if present.contains("attribute_of") {
            let inner = present.filter { $0 != "attribute_of" }
            guard let entity = try reader.optionalString("attribute_of"), !entity.isEmpty else {
                throw .invalidValue(path: reader.childPath("attribute_of"), expected: "the name of an entity", found: "an empty name")
            }
            guard inner.count == 1, inner[0] != "entity", inner[0] != "time" else {
                throw .invalidValue(path: reader.path, expected: "attribute_of and one kind of value (one_of, range, fake…)",
                                    found: inner.isEmpty ? "no kind of value" : inner.joined(separator: " and "))
            }
            spec = .attribute(of: entity, try readKind(inner[0], &reader))
        } else {
            guard present.count == 1 else {
                throw .invalidValue(path: reader.path, expected: "exactly one of \(kinds.joined(separator: ", "))",
                                    found: present.isEmpty ? "none" : present.joined(separator: " and "))
            }
            spec = try readKind(present[0], &reader)
        }
        if nullRate > 0 { spec = .nullable(spec, rate: nullRate) }
        return spec
    }

    static func readKind(_ kind: String, _ reader: inout ObjectReader) throws(ScenarioError) -> FieldSpec {
        let path = reader.childPath(kind)
        switch kind {
        case "time":
            guard case .bool(true)? = reader.value("time") else {
                throw .invalidValue(path: path, expected: "true", found: "something else")
            }
            return .time
        case "uuid":
            guard case .bool(true)? = reader.value("uuid") else {
                throw .invalidValue(path: path, expected: "true", found: "something else")
            }
            return .uuid
        case "entity":
            let name = try reader.string("entity", default: "")
            guard !name.isEmpty else { throw .invalidValue(path: path, expected: "the entity's name", found: "\"\"") }
            var entity = EntitySpec(name: name)
            entity.count = try reader.int("count", default: entity.count, in: 1...100_000_000)
            if var popularity = try reader.object("popularity") {
                entity.zipf = try popularity.double("zipf", default: entity.zipf, in: 0...10)
                try popularity.finish()
            }
            entity.format = try reader.string("format", default: entity.format)
            guard entity.format.contains("{n}") else {
                throw .invalidValue(path: reader.childPath("format"), expected: "a text with {n} (the member's number)", found: "\"\(entity.format)\"")
            }
            return .entity(entity)
        case "one_of":
            guard let value = reader.value("one_of") else { throw .missingKey(path: path, expected: "values") }
            switch value {
            case .object(let items) where !items.isEmpty:
                let weights = try reader.weights("one_of", default: [])
                return .oneOf(weights.map { .string($0.0) }, weights: weights.map(\.1))
            case .array(let items) where !items.isEmpty:
                var literals: [SpecLiteral] = []
                for (i, item) in items.enumerated() { literals.append(try literal(item, path: "\(path)[\(i)]")) }
                let weights = try reader.doubles("weights", default: Array(repeating: 1, count: items.count), count: items.count...items.count)
                guard weights.contains(where: { $0 > 0 }) else {
                    throw .invalidValue(path: reader.childPath("weights"), expected: "weights ≥ 0, not all 0", found: "all 0")
                }
                return .oneOf(literals, weights: weights)
            default:
                throw .invalidValue(path: path, expected: "an object of value: weight or a non-empty list of values", found: value.summary)
            }
        case "range":
            let bounds = try reader.doubles("range", default: [], count: 2...2, in: -1e15...1e15)
            guard bounds[0] <= bounds[1] else {
                throw .invalidValue(path: path, expected: "[min, max] with min ≤ max", found: "[\(bounds[0]), \(bounds[1])]")
            }
            return .number(try number(.uniform(min: bounds[0], max: bounds[1]), &reader))
        case "normal":
            guard var inner = try reader.object("normal") else { throw .missingKey(path: path, expected: "{\"mean\": …, \"sd\": …}") }
            let mean = try inner.double("mean", default: 0)
            let sd = try inner.double("sd", default: 1, in: 0...1e15)
            try inner.finish()
            return .number(try number(.normal(mean: mean, sd: sd), &reader))
        case "lognormal":
            guard var inner = try reader.object("lognormal") else { throw .missingKey(path: path, expected: "{\"median\": …, \"sigma\": …}") }
            let median = try inner.double("median", default: 1, in: 1e-9...1e15)
            let sigma = try inner.double("sigma", default: 1, in: 0...10)
            try inner.finish()
            return .number(try number(.logNormal(median: median, sigma: sigma), &reader))
        case "poisson":
            return .number(try number(.poisson(mean: try reader.double("poisson", default: 1, in: 0...1e9)), &reader))
        case "bool":
            return .bool(rate: try reader.probability("bool", default: 0.5))
        case "template":
            let text = try reader.string("template", default: "")
            guard !text.isEmpty else { throw .invalidValue(path: path, expected: "a text such as \"order_{n}\"", found: "\"\"") }
            return .template(text)
        case "fake":
            return .fake(try reader.choice("fake", default: FakeKind.email))
        case "array_of":
            guard let inner = reader.value("array_of") else { throw .missingKey(path: path, expected: "a field spec") }
            let item = try FieldSpec(reading: inner, path: path)
            let length = try reader.doubles("length", default: [0, 3], count: 2...2, in: 0...10_000)
            guard length[0] <= length[1], length[0] == length[0].rounded(), length[1] == length[1].rounded() else {
                throw .invalidValue(path: reader.childPath("length"), expected: "[min, max] whole numbers with min ≤ max", found: "\(length)")
            }
            return .arrayOf(item, length: Int(length[0])...Int(length[1]))
        case "json":
            // `{}` too: the whole-row column of `json:$` is written as the other columns' object.
            guard case .object(let items)? = reader.value("json") else {
                throw .invalidValue(path: path, expected: "an object of key: field spec", found: "something else")
            }
            var fields: [(key: String, spec: FieldSpec)] = []
            for key in items.keys.sorted() {
                guard let item = items[key] else { continue }
                fields.append((key, try FieldSpec(reading: item, path: "\(path).\(key)")))
            }
            return .json(fields)
        case "value":
            guard let value = reader.value("value") else { throw .missingKey(path: path, expected: "a value") }
            if value == .null { return .nullable(.constant(.string("")), rate: 1) }  // always null
            return .constant(try literal(value, path: path))
        default:
            throw .unknownKey(path: path, allowed: kinds)
        }
    }

    static func number(_ distribution: NumberSpec.Distribution, _ reader: inout ObjectReader) throws(ScenarioError) -> NumberSpec {
        var spec = NumberSpec(distribution, decimals: try reader.int("decimals", default: 0, in: 0...9))
        if reader.keys.contains("min") { spec.min = try reader.double("min", default: 0) }
        if reader.keys.contains("max") { spec.max = try reader.double("max", default: 0) }
        if let min = spec.min, let max = spec.max, min > max {
            throw .invalidValue(path: reader.childPath("max"), expected: "a number ≥ min (\(min))", found: "\(max)")
        }
        return spec
    }

    static func literal(_ value: JSONValue, path: String) throws(ScenarioError) -> SpecLiteral {
        switch value {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .number(let text): return .number(text)
        default: throw .invalidValue(path: path, expected: "a string, a number or a boolean", found: value.summary)
        }
    }
}

extension SpecLiteral {
    /// A number's shortest exact text: `3`, `2.5`.
    static func text(of n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? "\(Int64(n))" : "\(n)"
    }
}
