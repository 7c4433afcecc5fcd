import Foundation
import StarlingSim
import Testing
@testable import StarlingChecks

/// The funnel has one definition (`TouchpointKind`: order and stage); the generator moves through
/// it, the oracle reads it, and `touchpoint_funnel.pipe` must encode the same (its indexOf list and
/// its multiIf stage boundaries). The differential tests then check the SQL against the oracle.
@Suite struct FunnelDefinitionTests {
    let pipe: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("scenarios/tinybird/endpoints/touchpoint_funnel.pipe")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func thePipesOrderIsTheFunnelOrder() throws {
        let list = try #require(pipe.firstMatch(of: /indexOf\(\[([^\]]*)\]/)?.1)
        let steps = list.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '")) }
        #expect(steps == TouchpointKind.allCases.map(\.rawValue))
        #expect(TouchpointKind.allCases.map(\.funnelStep) == Array(1...TouchpointKind.allCases.count))
    }

    @Test func thePipesStageBoundariesAreTheStages() throws {
        let match = try #require(pipe.firstMatch(of: /multiIf\(funnel_step <= (\d+), 'awareness', funnel_step <= (\d+), 'consideration', 'conversion'\)/))
        let (awarenessEnd, considerationEnd) = (Int(match.1) ?? 0, Int(match.2) ?? 0)
        for kind in TouchpointKind.allCases {
            let stage: TouchpointKind.Stage = kind.funnelStep <= awarenessEnd ? .awareness : kind.funnelStep <= considerationEnd ? .consideration : .conversion
            #expect(stage == kind.stage, "\(kind.rawValue): the pipe says \(stage), the model \(kind.stage)")
        }
    }

    @Test func theDescriptionNamesEveryStep() {
        for kind in TouchpointKind.allCases { #expect(pipe.contains("\(kind.funnelStep) \(kind.rawValue)"), "\(kind.rawValue)") }
    }
}
