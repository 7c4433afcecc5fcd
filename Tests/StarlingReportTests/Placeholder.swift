import Testing
@testable import StarlingReport
