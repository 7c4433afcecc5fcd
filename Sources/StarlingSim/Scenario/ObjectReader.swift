import Foundation
import StarlingJSON

/// Reads one JSON object of a configuration file: each accessor takes a default, checks the value's
/// form and range, and remembers the key; `finish()` rejects keys nobody asked for. Errors carry
/// the JSON path (`$.datasources.ecommerce_events.products`).
public struct ObjectReader {
    /// Parses a configuration file's text; a syntax error names the file, line and column.
    public static func parse(_ data: Data, source: String) throws(ScenarioError) -> JSONValue {
        let bytes = [UInt8](data)
        do throws(JSONValueError) {
            return try JSONValue.parse(bytes)
        } catch {
            let (line, column) = error.position(in: bytes)
            throw .invalidJSON(source: source, reason: "line \(line), column \(column): \(error.reason)")
        }
    }

    public let path: String
    let fields: [String: JSONValue]
    var consumed: Set<String> = []

    public init(_ value: JSONValue, path: String) throws(ScenarioError) {
        guard case .object(let fields) = value else {
            throw .invalidValue(path: path, expected: "an object", found: value.summary)
        }
        self.path = path
        self.fields = fields
    }

    public func childPath(_ key: String) -> String { "\(path).\(key)" }

    public var keys: [String] { fields.keys.sorted() }

    /// The value at `key` without marking it read.
    public func peek(_ key: String) -> JSONValue? { fields[key] }

    public mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return fields[key]
    }

    public mutating func object(_ key: String) throws(ScenarioError) -> ObjectReader? {
        guard let value = value(key) else { return nil }
        return try ObjectReader(value, path: childPath(key))
    }

    public mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws(ScenarioError) -> Double {
        guard let value = value(key) else { return fallback }
        guard let n = value.number, range.contains(n) else {
            throw .invalidValue(path: childPath(key), expected: "a number in \(ObjectReader.describe(range))", found: value.summary)
        }
        return n
    }

    public mutating func probability(_ key: String, default fallback: Double) throws(ScenarioError) -> Double {
        try double(key, default: fallback, in: 0...1)
    }

    public mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(ScenarioError) -> Int {
        guard let value = value(key) else { return fallback }
        guard let n = value.number, n == n.rounded(), abs(n) < 9e15, range.contains(Int(n)) else {
            throw .invalidValue(path: childPath(key), expected: "an integer in \(ObjectReader.describe(range))", found: value.summary)
        }
        return Int(n)
    }

    public mutating func string(_ key: String, default fallback: String) throws(ScenarioError) -> String {
        try optionalString(key) ?? fallback
    }

    public mutating func optionalString(_ key: String) throws(ScenarioError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else {
            throw .invalidValue(path: childPath(key), expected: "a string", found: value.summary)
        }
        return s
    }

    public mutating func bool(_ key: String, default fallback: Bool) throws(ScenarioError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard case .bool(let b) = value else {
            throw .invalidValue(path: childPath(key), expected: "true or false", found: value.summary)
        }
        return b
    }

    /// One of a fixed set of strings.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ScenarioError) -> T where T.RawValue == String {
        guard let value = value(key) else { return fallback }
        guard case .string(let s) = value, let choice = T(rawValue: s) else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " | ")
            throw .invalidValue(path: childPath(key), expected: names, found: value.summary)
        }
        return choice
    }

    /// A list of numbers, each checked against `range`, with the count checked against `count`.
    public mutating func doubles(_ key: String, default fallback: [Double], count: ClosedRange<Int> = 1...Int.max, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) throws(ScenarioError) -> [Double] {
        guard let value = value(key) else { return fallback }
        let expected = "a list of \(ObjectReader.describe(count)) numbers in \(ObjectReader.describe(range))"
        guard case .array(let items) = value, count.contains(items.count) else {
            throw .invalidValue(path: childPath(key), expected: expected, found: value.summary)
        }
        var result: [Double] = []
        for (i, item) in items.enumerated() {
            guard let n = item.number, range.contains(n) else {
                throw .invalidValue(path: "\(childPath(key))[\(i)]", expected: "a number in \(ObjectReader.describe(range))", found: item.summary)
            }
            result.append(n)
        }
        return result
    }

    /// An object of `name: weight` pairs (weights ≥ 0, not all zero), in key order for determinism.
    public mutating func weights(_ key: String, default fallback: [(String, Double)]) throws(ScenarioError) -> [(String, Double)] {
        guard let value = value(key) else { return fallback }
        let expected = "an object of name: weight (weights ≥ 0, not all 0)"
        guard case .object(let items) = value, !items.isEmpty else {
            throw .invalidValue(path: childPath(key), expected: expected, found: value.summary)
        }
        var result: [(String, Double)] = []
        for name in items.keys.sorted() {
            guard let w = items[name]?.number, w >= 0 else {
                throw .invalidValue(path: "\(childPath(key)).\(name)", expected: "a weight ≥ 0", found: items[name]?.summary ?? "nothing")
            }
            result.append((name, w))
        }
        guard result.contains(where: { $0.1 > 0 }) else {
            throw .invalidValue(path: childPath(key), expected: expected, found: "all weights 0")
        }
        return result
    }

    /// Rejects keys that no accessor asked for: a typo never silently becomes a default.
    public func finish() throws(ScenarioError) {
        if let unknown = fields.keys.sorted().first(where: { !consumed.contains($0) }) {
            throw .unknownKey(path: childPath(unknown), allowed: Array(consumed))
        }
    }

    static func describe<T: Comparable & Numeric>(_ range: ClosedRange<T>) -> String {
        let lowOpen = "\(range.lowerBound)".count > 12
        let highOpen = "\(range.upperBound)".count > 12
        switch (lowOpen, highOpen) {
        case (true, true): return "any range"
        case (false, true): return "≥ \(range.lowerBound)"
        case (true, false): return "≤ \(range.upperBound)"
        case (false, false): return "\(range.lowerBound)…\(range.upperBound)"
        }
    }
}

extension ObjectReader {
    /// A non-empty list of non-empty strings.
    public mutating func strings(_ key: String, default fallback: [String]) throws(ScenarioError) -> [String] {
        guard let value = value(key) else { return fallback }
        guard case .array(let items) = value, !items.isEmpty else {
            throw .invalidValue(path: childPath(key), expected: "a non-empty list of strings", found: value.summary)
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, !s.isEmpty else {
                throw .invalidValue(path: "\(childPath(key))[\(i)]", expected: "a non-empty string", found: item.summary)
            }
            result.append(s)
        }
        return result
    }

    /// A non-empty list of `[open, close]` hour pairs with 0 ≤ open < close ≤ 24.
    public mutating func hourRanges(_ key: String, default fallback: [[Double]]) throws(ScenarioError) -> [[Double]] {
        guard let value = value(key) else { return fallback }
        let expected = "a non-empty list of [open, close] hours with 0 ≤ open < close ≤ 24"
        guard case .array(let items) = value, !items.isEmpty else {
            throw .invalidValue(path: childPath(key), expected: expected, found: value.summary)
        }
        var result: [[Double]] = []
        for (i, item) in items.enumerated() {
            guard case .array(let pair) = item, pair.count == 2,
                  let open = pair[0].number, let close = pair[1].number,
                  0 <= open, open < close, close <= 24
            else {
                throw .invalidValue(path: "\(childPath(key))[\(i)]", expected: "[open, close] with 0 ≤ open < close ≤ 24", found: item.summary)
            }
            result.append([open, close])
        }
        return result
    }
}
