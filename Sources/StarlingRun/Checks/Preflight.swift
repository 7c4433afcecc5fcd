import StarlingNet
import StarlingSim

/// Before anything is sent: every pipe the run will query must exist on the target and the token
/// must be accepted, or the run does not start (exit 1, one line). A pipe is asked for once with no
/// parameters: 404 means it does not exist, 401/403 that the token is refused; any other answer
/// (a 400 for a missing required parameter included) means it is there.
public enum Preflight {
    public static func check(_ plan: RunPlan, transport: any TargetTransport, clock: any RunClock) throws(RunStartError) {
        var queries = TargetQueries(transport: transport, token: plan.token, clock: clock)
        queries.patience = 10
        queries.maxAnswerBytes = plan.scenario.run.pipeAnswerMaxBytes
        var seen = Set<String>()
        let pipes = plan.queries.map(\.pipe) + (plan.scenario.run.checks.correctness ? plan.scenario.run.checks.pipes ?? [] : [])
        for pipe in pipes where seen.insert(pipe).inserted {
            let response: HTTPResponse
            do {
                response = try queries.send(PipeRequest(pipe: pipe, parameters: [], token: plan.token, maxAnswerBytes: plan.scenario.run.pipeAnswerMaxBytes).httpRequest)
            } catch {
                throw .unreachable(target: transport.target.description, reason: error.description)
            }
            switch response.status {
            case 401, 403: throw .tokenRefused(target: transport.target.description, status: response.status)
            case 404: throw .unknownPipe(pipe, target: transport.target.description)
            default: continue
            }
        }
    }
}

/// Why a run could not start; nothing was sent.
public enum RunStartError: Error, Equatable, CustomStringConvertible {
    case tokenRefused(target: String, status: Int)
    case unknownPipe(String, target: String)
    case unreachable(target: String, reason: String)

    public var description: String {
        switch self {
        case let .tokenRefused(target, status):
            return "the token was refused by \(target) (\(status)): check --token / TB_TOKEN and its scopes (APPEND on the datasources, READ on the pipes)"
        case let .unknownPipe(pipe, target):
            return "the target \(target) has no pipe \(pipe) (404): fix the scenario's query mix or checks.pipes, or deploy the pipe"
        case let .unreachable(target, reason):
            return "target \(target) is unreachable: \(reason)"
        }
    }
}
