import Glibc
import Testing
@testable import StarlingNet

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5)

    @Test(arguments: [200, 201, 202, 204])
    func successes(status: Int) {
        #expect(policy.decide(attempt: 1, status: status, headers: [:], waitTrue: false) == .success)
    }

    @Test(arguments: [
        (1, Duration.milliseconds(200)), (2, .milliseconds(400)), (3, .milliseconds(800)),
        (4, .milliseconds(1600)), (5, .seconds(3)), (9, .seconds(3)),
    ])
    func backoffDoublesFrom200msCappedAt3s(attempt: Int, expected: Duration) {
        #expect(policy.backoff(attempt: attempt) == expected)
    }

    @Test(arguments: [502, 503, 504])
    func unavailableBacksOff(status: Int) {
        #expect(policy.decide(attempt: 1, status: status, headers: [:], waitTrue: false) == .retry(after: .milliseconds(200)))
        #expect(policy.decide(attempt: 3, status: status, headers: [:], waitTrue: true) == .retry(after: .milliseconds(800)))
    }

    @Test func rateLimitedPrefersRetryAfterThenRateLimitResetThenBackoff() {
        let both: HTTPHeaders = ["Retry-After": "2", "X-RateLimit-Reset": "7"]
        #expect(policy.decide(attempt: 1, status: 429, headers: both, waitTrue: false) == .retry(after: .seconds(2)))
        #expect(policy.decide(attempt: 1, status: 429, headers: ["x-ratelimit-reset": "1.5"], waitTrue: false)
            == .retry(after: .milliseconds(1500)))
        #expect(policy.decide(attempt: 2, status: 429, headers: ["Retry-After": "soon"], waitTrue: false)
            == .retry(after: .milliseconds(400)))
        #expect(policy.decide(attempt: 2, status: 429, headers: [:], waitTrue: false) == .retry(after: .milliseconds(400)))
        #expect(policy.decide(attempt: 1, status: 429, headers: ["Retry-After": "3600"], waitTrue: false)
            == .retry(after: .seconds(60)))
    }

    @Test func serverErrorRetriedOnlyWithWaitTrue() {
        #expect(policy.decide(attempt: 1, status: 500, headers: [:], waitTrue: true) == .retry(after: .milliseconds(200)))
        guard case let .giveUp(reason) = policy.decide(attempt: 1, status: 500, headers: [:], waitTrue: false) else {
            Issue.record("500 with wait=false must not be retried")
            return
        }
        #expect(reason.contains("wait=false"))
    }

    @Test func payloadTooLargeSplits() {
        #expect(policy.decide(attempt: 1, status: 413, headers: [:], waitTrue: true) == .split)
    }

    @Test(arguments: [(400, "400"), (403, "token"), (404, "region"), (422, "duplicate"), (418, "418"), (301, "301")])
    func clientErrorsNeverRetry(status: Int, mention: String) {
        for waitTrue in [false, true] {
            guard case let .giveUp(reason) = policy.decide(attempt: 1, status: status, headers: [:], waitTrue: waitTrue) else {
                Issue.record("\(status) must give up")
                continue
            }
            #expect(reason.contains(mention))
        }
    }

    @Test func retriesStopAtMaxAttempts() {
        #expect(policy.decide(attempt: 4, status: 503, headers: [:], waitTrue: false) == .retry(after: .milliseconds(1600)))
        guard case let .giveUp(reason) = policy.decide(attempt: 5, status: 503, headers: [:], waitTrue: false) else {
            Issue.record("the fifth attempt is the last")
            return
        }
        #expect(reason.contains("after 5 attempts"))
        #expect(policy.decide(attempt: 5, status: 429, headers: ["Retry-After": "1"], waitTrue: false)
            != .retry(after: .seconds(1)))
    }

    @Test(arguments: [
        (TransportError.connectionClosed, true), (.timeout(.read), true), (.timeout(.connect), true),
        (.connectFailed(host: "h", port: 1, errno: ECONNREFUSED), true),
        (.malformedResponse(reason: "x"), false), (.tls(reason: "x"), false), (.resolve(host: "h", message: "x"), false), (.socket(operation: "read", errno: EIO), false),
    ])
    func transportErrors(error: TransportError, retried: Bool) {
        let decision = policy.decide(attempt: 2, error: error)
        #expect(decision == (retried ? .retry(after: .milliseconds(400)) : .giveUp(reason: error.description)))
        if retried, case .retry = policy.decide(attempt: 5, error: error) { Issue.record("must give up at max attempts") }
    }

    @Test func jitterRemovesUpToTheFractionDeterministically() {
        let jittered = RetryPolicy(maxAttempts: 5, jitter: 0.5)
        var random = SplitMix(seed: 42)
        var again = SplitMix(seed: 42)
        for attempt in 1...4 {
            let full = jittered.backoff(attempt: attempt)
            let first = jittered.decide(attempt: attempt, status: 503, headers: [:], waitTrue: false, using: &random)
            let second = jittered.decide(attempt: attempt, status: 503, headers: [:], waitTrue: false, using: &again)
            #expect(first == second)
            guard case let .retry(delay) = first else { Issue.record("503 must retry"); continue }
            #expect(delay <= full && delay >= full / 2)
        }
        // Without a random source, jitter does not apply.
        #expect(jittered.decide(attempt: 1, status: 503, headers: [:], waitTrue: false) == .retry(after: .milliseconds(200)))
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
