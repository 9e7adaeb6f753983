import Testing
import DescentTestSupport
@Test func probe() { #expect(Bool(true)) }
