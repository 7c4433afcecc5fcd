/// The distinct values of a categorical column (event types, countries, channels…), each with a
/// property derived once from its text when first seen (a touchpoint kind, a UTC offset, a set of
/// allowed referrers), so that a row costs one lookup.
struct Vocabulary<Property> {
    private(set) var values = ByteInterner(capacity: 64)
    private(set) var properties: [Property] = []
    private let derive: (String) -> Property

    init(_ derive: @escaping (String) -> Property) {
        self.derive = derive
    }

    var count: Int { values.count }

    @inline(__always)
    mutating func lookup(_ text: UnsafeBufferPointer<UInt8>) -> (id: Int32, property: Property) {
        let id = values.intern(text)
        if Int(id) == properties.count { properties.append(derive(values.name(id))) }
        return (id, properties[Int(id)])
    }

    func name(_ id: Int32) -> String { values.name(id) }

    /// The names of the values whose property satisfies `predicate`, sorted.
    func names(where predicate: (Property) -> Bool) -> [String] {
        properties.indices.filter { predicate(properties[$0]) }.map { values.name(Int32($0)) }.sorted()
    }
}

extension Array where Element == String {
    /// `a, b, c` — at most `limit` of them, then how many more.
    func listed(limit: Int = 10) -> String {
        count <= limit ? joined(separator: ", ") : prefix(limit).joined(separator: ", ") + " and \(count - limit) more"
    }
}
