import Testing
@testable import StarlingSim
