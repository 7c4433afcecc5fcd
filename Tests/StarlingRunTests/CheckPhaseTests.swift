import Foundation
import Testing
import StarlingNet
@testable import StarlingRun

@Suite(.timeLimit(.minutes(1))) struct CheckPhaseTests {
    /// A settle stopped by an interrupt says so, with the seconds it waited, not "after <timeout> s".
    @Test func anInterruptedSettleSaysSo() throws {
        let clock = VirtualClock()
        let target = SimulatedTarget(clock: clock)
        let cancellation = RunCancellation()
        cancellation.cancel(.interrupted(signal: "SIGINT"))
        let queries = TargetQueries(transport: target, token: "t", clock: clock, cancellation: cancellation)
        let (seconds, failure) = CheckPhase(queries: queries).settle(landed: ["store_visits": 10], timeout: 60, possiblyDuplicated: 0)
        #expect(seconds == nil)
        let reason = try #require(failure?.reason)
        #expect(reason.hasPrefix("interrupted after 0.0 s of settling") && !reason.contains("after 60 s"), "\(reason)")
        #expect(reason.contains("store_visits holds 0 of 10 acknowledged rows"), "\(reason)")
    }
}

@Suite struct TransportCauseTests {
    /// A failed request is counted under its cause: too much, cut short, nonsense, or too slow.
    @Test func causesAreNamed() {
        let named: [(TransportError, String)] = [
            (.malformedResponse(reason: "body exceeds 1048576 bytes"), "too_large"),
            (.malformedResponse(reason: "response head exceeds 65536 bytes"), "too_large"),
            (.malformedResponse(reason: "connection closed in the middle of the response head"), "cut_short"),
            (.malformedResponse(reason: "bad status line 'x'"), "malformed"),
            (.timeout(.read), "timeout"), (.timeout(.connect), "timeout.connect"), (.timeout(.poolWait), "timeout.pool"),
        ]
        for (error, name) in named { #expect(error.shortName == name, "\(error)") }
    }
}
