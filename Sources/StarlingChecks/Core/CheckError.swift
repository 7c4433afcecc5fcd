/// Everything that can go wrong while preparing or running a correctness check.
public enum CheckError: Error, Equatable, Sendable {
    /// No oracle exists for this pipe name.
    case unknownPipe(String)
    /// A parameter the pipe requires (e.g. `customer_id` of `customer_journey_details`) was not given.
    case missingParameter(pipe: String, name: String)
    /// A parameter's value cannot be read as the type its template declares.
    case invalidParameter(pipe: String, name: String, value: String, expected: String)
    /// The target's answer is not the JSON a pipe endpoint returns.
    case invalidResponse(reason: String)
}

extension CheckError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownPipe(let pipe):
            return "no oracle for pipe '\(pipe)'; known pipes: \(PipeOracles.pipes.joined(separator: ", "))"
        case .missingParameter(let pipe, let name):
            return "pipe '\(pipe)' requires the parameter '\(name)'"
        case .invalidParameter(let pipe, let name, let value, let expected):
            return "pipe '\(pipe)': parameter '\(name)' is '\(value)', expected \(expected)"
        case .invalidResponse(let reason):
            return "the pipe's response is not valid endpoint JSON: \(reason)"
        }
    }
}
