import Foundation
import StarlingRun
import Testing

/// Where the share files are looked for, from where the executable is.
@Suite struct StarlingHomeTests {
    /// `/proc/self/exe` gives the resolved path: `.build/release` is a link to
    /// `.build/<triple>/release`, one folder deeper. Both find the checkout (a binary run from
    /// another folder could not find the local target).
    @Test(arguments: ["/x/checkout/.build/release/starling", "/x/checkout/.build/x86_64-unknown-linux-gnu/release/starling"])
    func aBuiltBinaryFindsItsCheckout(executable: String) {
        let roots = StarlingHome.roots(environment: [:], workingDirectory: "/elsewhere", executable: executable)
        #expect(roots.first == "/elsewhere")
        #expect(roots.contains("/x/checkout"), "\(roots)")
    }

    @Test func anInstalledBinaryFindsItsShareFolder() {
        let roots = StarlingHome.roots(environment: ["STARLING_HOME": "/home/share"], workingDirectory: "/elsewhere", executable: "/opt/p/bin/starling")
        #expect(roots == ["/home/share", "/elsewhere", "/opt/p/share/starling"])
    }
}
