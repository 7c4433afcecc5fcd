import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// Seeded fuzzing of the scenario reader: every shipped scenario, damaged in many small ways, is
/// either read or refused with one line of bounded length — never a crash, never a dump.
@Suite struct ScenarioFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One damage: delete, insert or replace a few bytes, duplicate or cut a span, or repeat one.
    static func damage(_ bytes: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        var bytes = bytes
        guard !bytes.isEmpty else { return bytes }
        let at = rng.below(bytes.count)
        let noise: [UInt8] = [0x00, 0x1B, 0x22, 0x2C, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x2D, 0x31, 0x65, 0xFF, 0xEF, 0x0A, 0x5C]
        switch rng.below(7) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(noise[rng.below(noise.count)], at: at)
        case 2: bytes[at] = noise[rng.below(noise.count)]
        case 3:
            let end = min(bytes.count, at + 1 + rng.below(200))
            bytes.insert(contentsOf: bytes[at..<end], at: end)
        case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(400)))
        case 5: bytes = Array(bytes.prefix(at))
        default:
            // A number made huge or negative where a digit was.
            if (0x30...0x39).contains(bytes[at]) { bytes.insert(contentsOf: Array("99999999999999999999e300".utf8), at: at) } else { bytes.insert(0x2D, at: at) }
        }
        return bytes
    }

    @Test(arguments: ["ci-smoke", "foot-traffic", "ecommerce", "customer-journey", "omnichannel"])
    func damagedScenariosAreReadOrRefusedInOneLine(name: String) throws {
        let original = Array(try Data(contentsOf: Self.root.appendingPathComponent("scenarios/\(name).json")))
        var rng = Xoshiro256(seed: 20261207, stream: StreamTag("fuzz"), index: UInt64(name.utf8.count))
        var refused = 0
        for round in 0..<250 {
            var bytes = original
            for _ in 0...(round % 3) { bytes = Self.damage(bytes, &rng) }
            do {
                _ = try Scenario(json: Data(bytes), source: "\(name).json")
            } catch {
                refused += 1
                let line = error.description
                #expect(!line.contains("\n") && line.count <= 2001, "round \(round): \(line.prefix(300))")
                #expect(!line.contains("\u{1B}"), "round \(round): an escape character printed raw")
            }
        }
        #expect(refused > 100, "the damage was seen: \(refused) of 250 refused")
    }
}
