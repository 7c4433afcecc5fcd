import StarlingJSON

/// The rows of a pipe endpoint's JSON answer (`{"meta": …, "data": [{…}, …], "rows": n, …}`).
public enum PipeRows {
    public static func parse(_ body: [UInt8]) throws(CheckError) -> [[String: JSONValue]] {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw .invalidResponse(reason: "not JSON (\(error))")
        }
        guard case .array(let items)? = document["data"] else {
            throw .invalidResponse(reason: "no \"data\" array")
        }
        var rows: [[String: JSONValue]] = []
        for (index, item) in items.enumerated() {
            guard case .object(let row) = item else { throw .invalidResponse(reason: "data[\(index)] is not an object") }
            rows.append(row)
        }
        return rows
    }
}
