import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Testing

/// Nice axis ticks and their labels, and the number formats of the report.
@Suite struct ReportTicksTests {
    @Test func unitRangeStepsByTwoTenths() {
        let ticks = AxisTicks.linear(from: 0, to: 1)
        #expect(ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ticks.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    }

    @Test func pointSevenStepsByTenthsWithoutFloatingNoise() {
        let ticks = AxisTicks.linear(from: 0, to: 0.7)
        #expect(ticks.labels == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        #expect(ticks.values[3] == 0.3, "the nearest double to 0.3, not 0.30000000000000004")
    }

    @Test func negativeToPositiveWidensToTheNearestFives() {
        let ticks = AxisTicks.linear(from: -3, to: 17)
        #expect(ticks.values == [-5, 0, 5, 10, 15, 20])
        #expect(ticks.labels == ["-5", "0", "5", "10", "15", "20"])
    }

    @Test func tinyRangeKeepsItsDigits() {
        let ticks = AxisTicks.linear(from: 1, to: 1.000001)
        #expect(ticks.lower <= 1 && ticks.upper >= 1.000001)
        #expect(Set(ticks.labels).count == ticks.labels.count, "distinct labels: \(ticks.labels)")
        #expect(ticks.labels.first == "1")
        #expect(ticks.labels.contains("1.0000002"))
    }

    @Test func smallValuesUseScientificLabels() {
        let ticks = AxisTicks.linear(from: 0, to: 0.004)
        #expect(ticks.labels == ["0", "1e-3", "2e-3", "3e-3", "4e-3"])
    }

    @Test func largeValuesUseSuffixes() {
        #expect(
            AxisTicks.linear(from: 0, to: 12000).labels == [
                "0", "2k", "4k", "6k", "8k", "10k", "12k",
            ])
        #expect(AxisTicks.linear(from: 0, to: 1200).labels.last == "1200")
        #expect(AxisTicks.linear(from: 0, to: 2.5e6).labels.contains("2.5M"))
    }

    @Test func constantIsWidenedAroundItsValue() {
        let ticks = AxisTicks.linear(from: 5, to: 5)
        #expect(ticks.lower < 5 && ticks.upper > 5)
        #expect(ticks.values.contains(5))
        let zero = AxisTicks.linear(from: 0, to: 0)
        #expect(zero.lower < 0 && zero.upper > 0)
    }

    @Test func nonFiniteBoundsFallBackToTheUnitRange() {
        #expect(
            AxisTicks.linear(from: .nan, to: 3).values == AxisTicks.linear(from: 0, to: 1).values)
        #expect(
            AxisTicks(scale: .linear, covering: [.nan, .infinity]).values
                == AxisTicks.linear(from: 0, to: 1).values)
    }

    @Test func integerTicksNeverStepBelowOne() {
        #expect(AxisTicks.linear(from: 1, to: 3, integersOnly: true).values == [1, 2, 3])
    }

    @Test func logarithmicTicksAreDecades() {
        let ticks = AxisTicks.logarithmic(from: 1e-5, to: 1e-1)
        #expect(ticks.values == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
        #expect(ticks.labels == ["1e-5", "1e-4", "1e-3", "0.01", "0.1"])
        #expect(
            AxisTicks.logarithmic(from: 3, to: 20_000).labels == [
                "1", "10", "100", "1000", "10k", "100k",
            ])
    }

    @Test func logarithmicTicksAroundOneValueShowTheDecadesBeside() {
        let ticks = AxisTicks.logarithmic(from: 1e-3, to: 1e-3)
        #expect(ticks.values == [1e-4, 1e-3, 1e-2])
        let inside = AxisTicks.logarithmic(from: 0.2, to: 0.5)
        #expect(inside.values == [0.1, 1])
    }

    @Test func logarithmicTicksThinOutOverManyDecades() {
        let ticks = AxisTicks.logarithmic(from: 1e-20, to: 1)
        #expect(ticks.values.count <= 11)
        #expect(ticks.lower <= 1e-20 && ticks.upper >= 1)
        #expect(ticks.labels.allSatisfy { $0.hasPrefix("1e") || $0 == "1" })
    }

    @Test func logarithmicCoverageIgnoresNonPositiveValues() {
        let ticks = AxisTicks(scale: .logarithmic, covering: [0, -1, 1e-3, 5e-2, .nan])
        #expect(ticks.values == [1e-3, 1e-2, 1e-1])
    }

    @Test func fittedTicksKeepTheGivenDomain() {
        let ticks = AxisTicks.linear(from: -1.3, to: 2.3).fitted(to: -1.3...2.3)
        #expect(ticks.lower == -1.3 && ticks.upper == 2.3)
        #expect(ticks.values == [-1, 0, 1, 2] && ticks.labels == ["-1", "0", "1", "2"])
        let unchanged = AxisTicks.logarithmic(from: 1e-3, to: 1)
        #expect(unchanged.fitted(to: -1...1) == unchanged, "not positive on a log axis")
    }

    @Test func readableNumbers() {
        #expect(Markup.readable(0.30000000000000004) == "0.3")
        #expect(Markup.readable(0.25) == "0.25")
        #expect(Markup.readable(1234.5678) == "1235")
        #expect(Markup.readable(3.2e-4) == "3.2e-4")
        #expect(Markup.readable(0.00099999) == "1e-3")
        #expect(Markup.readable(.nan) == "n/a")
        #expect(Markup.number(.nan) == "0")
        #expect(Markup.number(12.499) == "12.5")
        #expect(Markup.number(-0.001) == "0")
        #expect(Markup.percent(0.9731) == "97.3%")
    }

    @Test func escapingCoversMarkupAndControlCharacters() {
        #expect(Markup.escaped("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;")
        #expect(Markup.escaped("a\u{1}b") == "a\u{FFFD}b")
    }

    @Test func durations() {
        #expect(TrainingReport.duration(42.26) == "42.3 s")
        #expect(TrainingReport.duration(185) == "3 min 05 s")
        #expect(TrainingReport.duration(3720) == "1 h 02 min")
    }
}
