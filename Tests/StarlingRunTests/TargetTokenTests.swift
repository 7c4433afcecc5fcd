import Foundation
import StarlingNet
import Testing
@testable import StarlingRun

/// A token goes into a header: a line break in it must stop the run, not inject headers.
@Suite(.timeLimit(.minutes(1))) struct TargetTokenTests {
    @Test func aTokenWithALineBreakIsRefusedWithoutBeingShown() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior())
        defer { target.stop() }
        for token in ["abc\r\nX-Injected: yes", "abc\n", "a\u{0}b", "abc\u{7F}"] {
            do {
                _ = try TargetResolver.resolve(.url(target.url.description), token: token, local: LocalTarget.Options(project: ""))
                Issue.record("a token with a control character was accepted")
            } catch {
                #expect(error == .invalidToken(source: "--token"))
                #expect(!error.description.contains("abc") && !error.description.contains("Injected"), "the message shows the token")
            }
        }
        #expect(target.stats.eventRequests == 0)
    }

    @Test func anOrdinaryTokenPasses() throws {
        #expect(try TargetResolver.checked("p.eyJ1IjogIjEyMyJ9.abc-_=", from: "--token") == "p.eyJ1IjogIjEyMyJ9.abc-_=")
    }
}
