#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// A sequential reader of the Philox4x32-10 stream `(seed, stream)`: the data layer's generator
/// for shuffles, splits and the synthetic data sets.
///
/// Block `b` of the stream is `Philox.block(counter: (b low, b high, stream low, stream high),
/// key: (seed low, seed high))`, read lane by lane, so the same seed and stream give the same
/// draws on every machine. Each use has its own stream (`DataRandom.Stream`), so shuffling a data
/// set and adding noise to it with one seed draw independent numbers.
package struct DataRandom {
    /// The stream of each use of the generator, so that one seed serves several uses.
    package enum Stream: UInt64 {
        case shuffle = 0x5348_5546
        case split = 0x5350_4C54
        case noise = 0x4E4F_4953
        /// Hyperparameter search's random proposals.
        case search = 0x5345_4152
        /// Shuffling labels apart from their samples (a planted fault).
        case labels = 0x4C41_4245
        /// Drawing a subset of the samples.
        case subset = 0x5355_4253
    }

    private let seed: UInt64
    private let stream: UInt64
    private var blockIndex: UInt64 = 0
    private var lanes: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var lane = 4

    package init(seed: UInt64, stream: Stream) {
        self.seed = seed
        self.stream = stream.rawValue
    }

    /// The next 32 bits of the stream.
    package mutating func next32() -> UInt32 {
        if lane == 4 {
            lanes = Philox.block(
                counter: (
                    UInt32(truncatingIfNeeded: blockIndex),
                    UInt32(truncatingIfNeeded: blockIndex >> 32),
                    UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)
                ),
                key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
            blockIndex &+= 1
            lane = 0
        }
        defer { lane += 1 }
        switch lane {
        case 0: return lanes.0
        case 1: return lanes.1
        case 2: return lanes.2
        default: return lanes.3
        }
    }

    /// The next 64 bits of the stream: two consecutive 32-bit draws, the first in the high half.
    package mutating func next64() -> UInt64 {
        let high = UInt64(next32())
        return high << 32 | UInt64(next32())
    }

    /// A uniform integer in `0..<bound` (`bound > 0`), without modulo bias: Lemire's
    /// multiply-and-reject method on 64-bit draws [1]. Written out here rather than taken from
    /// `Int.random(in:using:)`, whose algorithm the standard library may change between versions.
    ///
    /// [1]: Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
    package mutating func integer(below bound: Int) -> Int {
        let range = UInt64(bound)
        var product = next64().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next64().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    package mutating func unitDouble() -> Double {
        Double(next64() >> 11) * 0x1p-53
    }

    /// A standard normal `Double` (Box-Muller on two uniform draws; one value per call).
    package mutating func standardNormal() -> Double {
        let u1 = 1 - unitDouble()
        let u2 = unitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniformly random permutation of `0..<count` (Fisher-Yates, from the last position down).
    package mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        var position = count - 1
        while position > 0 {
            order.swapAt(position, integer(below: position + 1))
            position -= 1
        }
        return order
    }
}
