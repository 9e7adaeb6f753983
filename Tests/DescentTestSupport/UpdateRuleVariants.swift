import DescentCore
import DescentTraining
import Testing

/// One update rule with its hyperparameters, named for test output.
public struct UpdateRuleVariant: CustomTestStringConvertible, Sendable {
    public let name: String
    public let rule: any UpdateRule
    public var testDescription: String { name }
}

/// Every built-in update rule in each of its forms (conventions, flags, states): what the
/// optimizer parity suite runs and whose kernels `KernelTests` creates on every driver.
public enum UpdateRuleVariants {
    public static let all: [UpdateRuleVariant] =
        ([

            ("SGD", SGD()),
            ("SGD momentum dampening", SGD(momentum: 0.9, dampening: 0.1)),
            ("SGD Nesterov", SGD(momentum: 0.9, nesterov: true)),
            ("SGD Keras momentum", SGD(momentum: 0.9, convention: .keras)),
            ("SGD Keras Nesterov", SGD(momentum: 0.9, nesterov: true, convention: .keras)),
            ("Adagrad", Adagrad(learningRateDecay: 0.01)),
            ("Adagrad Keras", Adagrad.keras()),
            ("RMSprop", RMSprop()),
            ("RMSprop centered momentum", RMSprop(alpha: 0.9, momentum: 0.5, centered: true)),
            ("RMSprop Keras centered momentum", RMSprop.keras(momentum: 0.5, centered: true)),
            ("Adadelta", Adadelta()),
            ("Adam", Adam()),
            ("AMSGrad", Adam(amsgrad: true)),
            ("Adam Keras", Adam.keras()),
            ("AdaMax", AdaMax()),
            ("AdaMax Keras", AdaMax(epsilon: 1e-7, convention: .keras)),
            ("Nadam", Nadam()),
            ("Lion", Lion()),
        ] as [(String, any UpdateRule)]).map { UpdateRuleVariant(name: $0.0, rule: $0.1) }
}
