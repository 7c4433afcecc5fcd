import Testing
import StarlingSim

/// `init`'s load is sized from the project: many endpoints share a query budget, many materialized
/// views make batches wait longer; the scenario says why.
@Suite struct InitLoadTests {
    @Test func queriesShareABudgetAndViewsLengthenTheLinger() {
        #expect(InitLoad(endpoints: 4, materializations: 0).queryRate == 1)
        #expect(InitLoad(endpoints: 30, materializations: 0).queryRate == 0.4)
        #expect(InitLoad(endpoints: 17, materializations: 0).queryRate == 0.7)
        #expect(InitLoad(endpoints: 17, materializations: 5).lingerMilliseconds == 400)
        #expect(InitLoad(endpoints: 1, materializations: 2).lingerMilliseconds == 100)
        #expect(InitLoad(endpoints: 1, materializations: 40).lingerMilliseconds == 1000)
        let reason = InitLoad(endpoints: 30, materializations: 3).reason
        #expect(reason.contains("30 endpoints at 0.4 queries/s each") && reason.contains("wait up to 200 ms"), "\(reason)")
        #expect(InitLoad(endpoints: 0, materializations: 1).reason.contains("the project has no endpoint, so nothing is queried"))
    }
}
