import Testing
@testable import StarlingRun
