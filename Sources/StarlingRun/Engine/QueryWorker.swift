import StarlingNet
import StarlingSim

/// One scheduled pipe request.
public struct QueryJob: Sendable {
    public var pipe: String
    public var parameters: [(name: String, value: String)]
    public var intendedNanos: UInt64
}

/// What one pipe's answers said: server-side statistics (`statistics.elapsed`, `rows_read`,
/// `bytes_read`), how many answers held no row (with the parameters of the first such answer), and
/// the distinct error messages of its refusals with their counts.
public struct ServerStatistics: Sendable, Codable, Equatable {
    /// Distinct error messages kept per pipe; further ones are counted under `otherMessages`.
    public static let maxMessages = 20
    public static let otherMessages = "(other messages)"

    public var responses = 0
    public var elapsedSecondsTotal = 0.0
    public var rowsReadTotal: Int64 = 0
    public var bytesReadTotal: Int64 = 0
    /// Successful answers whose row count was read, and those among them with no row.
    public var answers = 0
    public var emptyAnswers = 0
    /// The parameters of the first answer with no row (`name=value&…`, "" for none).
    public var emptyParameters: String?
    public var errorMessages: [String: Int] = [:]

    public init() {}

    init(statistics: PipeStatistics, parameters: String) {
        record(answer: statistics, parameters: parameters)
    }

    /// Counts one successful answer; `parameters` is shown only for the first answer with no row.
    mutating func record(answer statistics: PipeStatistics, parameters: @autoclosure () -> String) {
        responses += 1
        elapsedSecondsTotal += statistics.elapsedSeconds
        rowsReadTotal += statistics.rowsRead
        bytesReadTotal += statistics.bytesRead
        answers += 1
        if statistics.rows == 0 {
            emptyAnswers += 1
            if emptyParameters == nil { emptyParameters = parameters() }
        }
    }

    mutating func add(_ other: ServerStatistics) {
        responses += other.responses
        elapsedSecondsTotal += other.elapsedSecondsTotal
        rowsReadTotal += other.rowsReadTotal
        bytesReadTotal += other.bytesReadTotal
        answers += other.answers
        emptyAnswers += other.emptyAnswers
        if emptyParameters == nil { emptyParameters = other.emptyParameters }
        for (message, count) in other.errorMessages.sorted(by: { $0.key < $1.key }) { record(error: message, count: count) }
    }

    /// Counts one more refusal with `message`, keeping at most `maxMessages` distinct ones.
    mutating func record(error message: String, count: Int = 1) {
        let key = errorMessages[message] != nil || errorMessages.count < Self.maxMessages ? message : Self.otherMessages
        errorMessages[key, default: 0] += count
    }
}

/// Sends pipe queries from the queue; latency from each query's intended time, per pipe.
struct QueryWorker {
    let context: RunContext
    var connection: (any TargetConnection)?
    var recorders: [String: LocalRecorder] = [:]
    var server: [String: ServerStatistics] = [:]
    /// Queries the workers never sent (the run stopped, or the drain ended).
    var skipped = 0

    init(context: RunContext) {
        self.context = context
    }

    mutating func run(_ queue: WorkQueue<QueryJob>) -> ([String: LocalRecorder], [String: ServerStatistics]) {
        while let job = queue.pop() {
            if context.cancellation.isCancelled || context.clock.now() >= context.drainDeadline {
                skipped += 1
                continue
            }
            send(job)
        }
        connection?.close()
        for name in recorders.keys { recorders[name]?.flush(to: context.shared, now: context.clock.now(), force: true) }
        return (recorders, server)
    }

    mutating func send(_ job: QueryJob) {
        let request = PipeRequest(pipe: job.pipe, parameters: job.parameters, token: context.plan.token,
                                  maxAnswerBytes: context.plan.scenario.run.pipeAnswerMaxBytes)
        var failure: String?
        do {
            let worker = connection ?? context.transport.makeConnection()
            connection = worker
            let now = context.clock.now()
            let response = try worker.send(request.httpRequest, timeout: .nanoseconds(Int64(context.drainDeadline > now ? context.drainDeadline - now : 0)))
            context.health.answered()
            if response.isSuccess {
                if let stats = PipeStatistics.scan(response.body) {
                    server[job.pipe, default: ServerStatistics()].record(answer: stats, parameters: request.shownParameters)
                }
            } else {
                failure = "\(response.status)"
                server[job.pipe, default: ServerStatistics()].record(error: ServerErrorText.line(status: response.status, body: response.body, token: context.plan.token))
                if response.status == 401 || response.status == 403 {
                    context.stop(.tokenRefused(status: response.status, request: "GET /v0/pipes/\(job.pipe).json"),
                                 notice: IngestWorker.refusedNotice(response.status, target: context.transport.target))
                } else if response.status == 404 {
                    context.stop(.notFound("pipe \(job.pipe)"),
                                 notice: "the target \(context.transport.target) has no pipe \(job.pipe) (404): check the scenario's query mix against the deployed project")
                }
            }
        } catch {
            failure = error.shortName
            server[job.pipe, default: ServerStatistics()].record(error: ServerErrorText.clean(error.description, token: context.plan.token))
            if let lost = context.health.failed(error.description, at: context.clock.now()) {
                context.stop(lost, notice: IngestWorker.lostNotice(lost, target: context.transport.target))
            }
        }
        let now = context.clock.now()
        let stream = "query.\(job.pipe)"
        // Mutated in place through the dictionary: a copy would copy the histograms.
        recorders[stream, default: LocalRecorder(stream: stream)]
            .record(latencyNanos: now &- job.intendedNanos, second: context.second(at: now), failure: failure)
        recorders[stream]?.flush(to: context.shared, now: now)
    }
}
