import StarlingNet
import StarlingSim

/// One scheduled pipe request.
public struct QueryJob: Sendable {
    public var pipe: String
    public var parameters: [(name: String, value: String)]
    public var intendedNanos: UInt64
}

/// Server-side statistics of one pipe's answers (`statistics.elapsed`, `rows_read`, `bytes_read`).
public struct ServerStatistics: Sendable, Codable, Equatable {
    public var responses = 0
    public var elapsedSecondsTotal = 0.0
    public var rowsReadTotal: Int64 = 0
    public var bytesReadTotal: Int64 = 0

    mutating func add(_ other: ServerStatistics) {
        responses += other.responses
        elapsedSecondsTotal += other.elapsedSecondsTotal
        rowsReadTotal += other.rowsReadTotal
        bytesReadTotal += other.bytesReadTotal
    }
}

/// Sends pipe queries from the queue; latency from each query's intended time, per pipe.
struct QueryWorker {
    let pool: HTTPClientPool
    let target: TargetURL
    let token: String
    let shared: SharedRecorder
    let runStart: UInt64
    var connection: WorkerConnection?
    var recorders: [String: LocalRecorder] = [:]
    var server: [String: ServerStatistics] = [:]

    mutating func run(_ queue: WorkQueue<QueryJob>, abandon: StopFlag) -> ([String: LocalRecorder], [String: ServerStatistics]) {
        while let job = queue.pop() {
            if abandon.isSet { continue }
            send(job)
        }
        connection?.close()
        for name in recorders.keys { recorders[name]?.flush(to: shared, now: MonotonicClock.now(), force: true) }
        return (recorders, server)
    }

    mutating func send(_ job: QueryJob) {
        let request = PipeRequest(pipe: job.pipe, parameters: job.parameters, token: token)
        var failure: String?
        do {
            let worker = connection ?? WorkerConnection(target: target, pool: pool)
            connection = worker
            let response = try worker.send(request.httpRequest)
            if response.isSuccess {
                if let stats = PipeStatistics.scan(response.body) {
                    server[job.pipe, default: ServerStatistics()].add(ServerStatistics(
                        responses: 1, elapsedSecondsTotal: stats.elapsedSeconds, rowsReadTotal: stats.rowsRead, bytesReadTotal: stats.bytesRead))
                }
            } else {
                failure = "\(response.status)"
            }
        } catch {
            failure = error.shortName
        }
        let now = MonotonicClock.now()
        let stream = "query.\(job.pipe)"
        // Mutated in place through the dictionary: a copy would copy the histograms.
        recorders[stream, default: LocalRecorder(stream: stream)]
            .record(latencyNanos: now &- job.intendedNanos, second: Int64((now &- runStart) / 1_000_000_000), failure: failure)
        recorders[stream]?.flush(to: shared, now: now)
    }
}
