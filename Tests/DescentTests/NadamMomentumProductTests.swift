@testable import DescentTraining
import Testing

/// Nadam's momentum product is carried from step to step (one factor per step, not `t`) and is
/// the same number as the product computed from step 1, whatever order the steps come in.
struct NadamMomentumProductTests {
    static func fromTheStart(_ nadam: Nadam, _ step: Int) -> Double {
        (1...step).reduce(1.0) { $0 * nadam.momentum(atStep: $1) }
    }

    @Test func theCarriedProductIsTheProductFromTheStart() {
        let nadam = Nadam()
        for step in 1...3000 {
            #expect(nadam.momentumProduct(atStep: step) == Self.fromTheStart(nadam, step))
        }
        // Asked again, back in time (another group's step, a new run), and ahead (a resumed run).
        for step in [3000, 3000, 17, 1, 2500, 4000] {
            #expect(nadam.momentumProduct(atStep: step) == Self.fromTheStart(nadam, step))
        }
        // A copy with other hyperparameters shares the cache but not its numbers.
        var keras = nadam
        keras.momentumDecay = 1
        #expect(keras.momentumProduct(atStep: 4001) == Self.fromTheStart(keras, 4001))
        #expect(nadam.momentumProduct(atStep: 4001) == Self.fromTheStart(nadam, 4001))
    }
}
