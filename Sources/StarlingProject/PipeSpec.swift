/// What Starling needs to know of a pipe to query it and check it, read from its `.pipe` file: its
/// template parameters (type, default, whether required, the columns the SQL compares them with,
/// whether one is the LIMIT) and the datasources its SQL reads.
public struct PipeSpec: Sendable {
    public let file: PipeFile
    public let parameters: [PipeParameter]
    /// Datasources read in FROM / JOIN (names that are not nodes of the pipe).
    public let datasources: [String]
    /// The output node's outermost ORDER BY: columns and directions (empty when it has none).
    public let orderBy: [(column: String, descending: Bool)]

    public var name: String { file.name }

    public init(_ file: PipeFile) {
        self.file = file
        let nodeNames = Set(file.nodes.map(\.name))
        var parameters: [String: PipeParameter] = [:]
        var order: [String] = []
        var sources: [String] = []
        func collect(_ found: PipeParameter) {
            if var known = parameters[found.name] {
                known.merge(found)
                parameters[found.name] = known
            } else {
                parameters[found.name] = found
                order.append(found.name)
            }
        }
        for node in file.nodes {
            TemplateScanner.parameters(in: node.sql).forEach(collect)
            for source in TemplateScanner.tables(in: node.sql) where !nodeNames.contains(source) && !sources.contains(source) {
                sources.append(source)
            }
        }
        // Names only the template logic uses (`{{column(dimension, 'a')}}`, `{% if filter == 'x' %}`):
        // parameters too, taken as text.
        for node in file.nodes { TemplateScanner.templateOnlyParameters(in: node.sql).forEach(collect) }
        let tested = Set(file.nodes.flatMap { TemplateScanner.definedNames(in: $0.sql) })
        let guarded = Set(file.nodes.flatMap { TemplateScanner.errorGuardedNames(in: $0.sql) })
        self.parameters = order.compactMap { name in
            guard var parameter = parameters[name] else { return nil }
            parameter.testedWithDefined = tested.contains(name)
            // Required: `required=True`, a `{% if not defined(x) %}{{ error(…) }}` guard, or a date
            // without a default, or any typed call without one, that no `defined(x)` protects (the
            // template fails without it).
            let undefaultedTime = (parameter.kind == .dateTime || parameter.kind == .date) && parameter.defaultValue == nil && !parameter.testedWithDefined
            let undefaultedCall = parameter.calledWithoutDefault && !parameter.testedWithDefined
            parameter.required = parameter.required || guarded.contains(name) || undefaultedTime || undefaultedCall
            return parameter
        }
        datasources = sources
        orderBy = TemplateScanner.orderBy(in: file.output.sql)
    }

    public func parameter(_ name: String) -> PipeParameter? { parameters.first { $0.name == name } }
}

/// One template parameter of a pipe, as `{{Type(name, default, required=True)}}` declares it.
public struct PipeParameter: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case string, dateTime, date, integer, float, boolean, array, other
    }

    /// How the SQL uses the parameter: compared with a column (`timestamp >= {{DateTime(start)}}`).
    public struct Comparison: Sendable, Equatable, Hashable {
        public var column: String
        /// `=`, `!=`, `>`, `>=`, `<`, `<=` (BETWEEN gives `>=` and `<=`), `in` (IN and NOT IN).
        public var operation: String
    }

    public var name: String
    /// The template function: `String`, `DateTime`, `Int32`…
    public var function: String
    public var kind: Kind
    /// The default's text (unquoted), when the template gives one.
    public var defaultValue: String?
    public var required: Bool
    public var comparisons: [Comparison]
    /// The parameter is the LIMIT (`LIMIT {{Int32(limit, 100)}}`).
    public var isLimit: Bool
    /// The parameter is the offset of a LIMIT (`LIMIT {{Int32(skip, 0)}}, {{Int32(limit, 50)}}`,
    /// `OFFSET {{…}}`): rows skipped, not rows returned.
    public var isOffset = false
    /// The values the template accepts (`{% if x not in ['a', 'b'] %}{{ error(…) }}`, `{% if x == 'a' %}`),
    /// empty when it says none.
    public var allowedValues: [String] = []
    /// An `Array(name, 'Type')`'s element type (`String`, `Int32`…).
    public var elementType: String? = nil
    /// The template asks `defined(name)`: the pipe answers differently with and without it.
    public var testedWithDefined = false
    /// Some typed call of it gives no default (`{% set hrs = UInt16(hours_param) %}`): unless a
    /// `defined(x)` guards it, Tinybird's renderer refuses every request without it.
    public var calledWithoutDefault = false

    /// A lower bound on a column (`column >= / > {{…}}`), if the SQL uses it so.
    public var lowerBoundOf: String? { comparisons.first { $0.operation == ">=" || $0.operation == ">" }?.column }
    /// An upper bound on a column.
    public var upperBoundOf: String? { comparisons.first { $0.operation == "<=" || $0.operation == "<" }?.column }
    /// A column the parameter is matched against for equality.
    public var equalsColumn: String? { comparisons.first { $0.operation == "=" }?.column }
    /// A column whose values the parameter lists (`column IN {{Array(…)}}`).
    public var listsColumn: String? { comparisons.first { $0.operation == "in" }?.column }

    /// The columns whose values this parameter may take, most likely first: the column the SQL
    /// compares it with, then the column it is named after (for an Array, also singular: `countries`
    /// → `country`). Empty for parameters that take no column's values.
    public var candidateColumns: [String] {
        switch kind {
        case .string: return [equalsColumn, name].compactMap { $0 }
        case .array where elementType == nil || elementType == "String":
            return [listsColumn, name, name.hasSuffix("s") ? String(name.dropLast()) : nil].compactMap { $0 }
        default: return []
        }
    }

    mutating func merge(_ other: PipeParameter) {
        if defaultValue == nil { defaultValue = other.defaultValue }
        if elementType == nil { elementType = other.elementType }
        required = required || other.required
        calledWithoutDefault = calledWithoutDefault || other.calledWithoutDefault
        for comparison in other.comparisons where !comparisons.contains(comparison) { comparisons.append(comparison) }
        isLimit = isLimit || other.isLimit
        isOffset = isOffset || other.isOffset
        for value in other.allowedValues where !allowedValues.contains(value) { allowedValues.append(value) }
    }

    static func kind(of function: String) -> Kind {
        switch function {
        case "String": return .string
        case "DateTime", "DateTime64": return .dateTime
        case "Date": return .date
        case "Float32", "Float64": return .float
        case "Boolean": return .boolean
        case "Array": return .array
        case _ where function.hasPrefix("Int") || function.hasPrefix("UInt"): return .integer
        default: return .other
        }
    }
}
