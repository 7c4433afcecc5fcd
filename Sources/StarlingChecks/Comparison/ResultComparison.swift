import Foundation
import StarlingJSON
import StarlingSim

/// Compares a pipe's expected rows with the `data` rows the target answered, row by row under the
/// pipe's total ORDER BY, column by column.
public enum ResultComparison {
    /// Compares with a pipe endpoint's JSON body (`…/<pipe>.json`); throws when it is not one.
    public static func diff(
        expected: [ExpectedRow],
        responseJSON: Data,
        tolerance: FloatTolerance = .standard,
        reportLimit: Int = 5
    ) throws(CheckError) -> ResultDiff? {
        diff(expected: expected, actual: try PipeRows.parse([UInt8](responseJSON)), tolerance: tolerance, reportLimit: reportLimit)
    }

    /// Nil when the answer matches; otherwise what differs (the first `reportLimit` rows in detail).
    public static func diff(
        expected: [ExpectedRow],
        actual: [[String: JSONValue]],
        tolerance: FloatTolerance = .standard,
        reportLimit: Int = 5
    ) -> ResultDiff? {
        diff(expected: ExpectedResult(rows: expected), actual: actual, tolerance: tolerance, reportLimit: reportLimit)
    }

    /// As above, honouring the result's interchangeable runs: within a run the actual rows may come
    /// in any order (each must match a distinct expected row), and the last run may also be filled
    /// from the alternates the cut left out.
    public static func diff(
        expected result: ExpectedResult,
        actual: [[String: JSONValue]],
        tolerance: FloatTolerance = .standard,
        reportLimit: Int = 5
    ) -> ResultDiff? {
        let expected = result.rows
        var differences: [ResultDiff.RowDifference] = []
        var differing = 0
        func record(_ index: Int, _ cells: [ResultDiff.CellDifference]) {
            guard !cells.isEmpty else { return }
            differing += 1
            if differences.count < reportLimit { differences.append(.init(index: index, cells: cells)) }
        }
        let runs = Dictionary(result.interchangeable.map { ($0.lowerBound, $0) }, uniquingKeysWith: { a, _ in a })
        var index = 0
        while index < max(expected.count, actual.count) {
            if let run = runs[index], run.upperBound <= expected.count {
                var candidates = Array(expected[run]) + (run.upperBound == expected.count ? result.alternates : [])
                for position in run {
                    let a = position < actual.count ? actual[position] : nil
                    if let a, let match = candidates.firstIndex(where: { compareRow($0, a, tolerance: tolerance).isEmpty }) {
                        candidates.remove(at: match)
                    } else {
                        record(position, compareRow(expected[position], a, tolerance: tolerance))
                    }
                }
                index = run.upperBound
                continue
            }
            let e = index < expected.count ? expected[index] : nil
            let a = index < actual.count ? actual[index] : nil
            record(index, compareRow(e, a, tolerance: tolerance))
            index += 1
        }
        guard differing > 0 else { return nil }
        return ResultDiff(
            expectedRows: expected.count, actualRows: actual.count, differingRows: differing,
            firstDifferences: differences, tolerance: tolerance)
    }

    /// The differing cells of one row; a missing row on either side differs in every column.
    static func compareRow(_ expected: ExpectedRow?, _ actual: [String: JSONValue]?, tolerance: FloatTolerance) -> [ResultDiff.CellDifference] {
        var cells: [ResultDiff.CellDifference] = []
        let absent = "(no row)"
        guard let expected else {
            for (name, value) in (actual ?? [:]).sorted(by: { $0.key < $1.key }) {
                cells.append(.init(column: name, expected: absent, actual: value.description))
            }
            return cells
        }
        for column in expected.columns {
            guard let actual else {
                cells.append(.init(column: column.name, expected: column.value.rendered, actual: absent))
                continue
            }
            guard let value = actual[column.name] else {
                cells.append(.init(column: column.name, expected: column.value.rendered, actual: "(no column)"))
                continue
            }
            if !matches(column.value, value, tolerance: tolerance) {
                cells.append(.init(column: column.name, expected: column.value.rendered, actual: value.description))
            }
        }
        let known = Set(expected.columns.map(\.name))
        for (name, value) in (actual ?? [:]).sorted(by: { $0.key < $1.key }) where !known.contains(name) {
            cells.append(.init(column: name, expected: "(no column)", actual: value.description))
        }
        return cells
    }

    /// Whether one actual value matches one expected value (see `ExpectedValue` and `FloatTolerance`).
    public static func matches(_ expected: ExpectedValue, _ actual: JSONValue, tolerance: FloatTolerance = .standard) -> Bool {
        switch expected {
        case .string(let s):
            if case .object = actual { return actual.description == s }  // a Map cell, as a reference replay read it
            return actual == .string(s)
        case .integer(let n):
            switch actual {
            case .bool(let b): return (b ? 1 : 0) == n
            case .number(let text):
                // Exact as text; a float-typed answer (`2.0`, `2e3`) only where doubles are exact.
                if let m = Int64(text) { return m == n }
                guard let x = Double(text) else { return false }
                return x == Double(n) && abs(x) < 9.007_199_254_740_992e15
            case .string(let text): return Int64(text) == n
            default: return false
            }
        case .float(let x):
            guard let a = actual.doubleValue else { return false }
            return tolerance.close(a, x)
        case .rounded2(let x), .rounded2OfFloatSum(let x):
            guard let a = actual.doubleValue else { return false }
            return tolerance.roundings(of: x).contains { tolerance.close(a, $0) }
        case .dateTime(let t):
            return actual == .string(formatTimestamp(t))
        case .array(let items):
            guard case .array(let values) = actual, values.count == items.count else { return false }
            return zip(items, values).allSatisfy { matches($0, $1, tolerance: tolerance) }
        case .multiset(let items):
            guard case .array(let values) = actual, values.count == items.count else { return false }
            return multisetMatches(items, values, tolerance: tolerance)
        case .null:
            return actual == .null
        }
    }

    /// Greedy matching of each expected element to a distinct actual one. Exact for strings and
    /// integers (equality is an equivalence); elements are hashed first so the common case is linear.
    static func multisetMatches(_ expected: [ExpectedValue], _ actual: [JSONValue], tolerance: FloatTolerance) -> Bool {
        var unmatched: [JSONValue: Int] = [:]
        for value in actual { unmatched[value, default: 0] += 1 }
        var leftovers: [ExpectedValue] = []
        for item in expected {
            if let exact = exactForm(item), let count = unmatched[exact], count > 0 {
                unmatched[exact] = count == 1 ? nil : count - 1
            } else {
                leftovers.append(item)
            }
        }
        var rest = unmatched.flatMap { Array(repeating: $0.key, count: $0.value) }
        for item in leftovers {
            guard let index = rest.firstIndex(where: { matches(item, $0, tolerance: tolerance) }) else { return false }
            rest.remove(at: index)
        }
        return rest.isEmpty
    }

    /// The JSON form an expected value has when the target prints it in the usual way.
    static func exactForm(_ value: ExpectedValue) -> JSONValue? {
        switch value {
        case .string(let s): return .string(s)
        case .integer(let n): return .integer(n)
        case .dateTime(let t): return .string(formatTimestamp(t))
        case .array(let items):
            var values: [JSONValue] = []
            for item in items {
                guard let v = exactForm(item) else { return nil }
                values.append(v)
            }
            return .array(values)
        case .null: return .null
        case .float, .rounded2, .rounded2OfFloatSum, .multiset: return nil
        }
    }
}
