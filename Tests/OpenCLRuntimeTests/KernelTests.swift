import DescentCore
import DescentKernels
@testable import DescentOpenCL
import DescentTestSupport
import DescentTraining
import Testing

/// The typed kernel list and the update rules name every kernel the sources define and no other,
/// each is
/// created from its program on this driver (every leg of the device matrix runs this), and the
/// numeric codes the kernels switch on come from the Swift enums.
@Suite struct KernelTests {
    /// The `__kernel` function names of `source`: each "__kernel" is followed by its attributes,
    /// then "void NAME(". The macro that defines the elementwise kernels names them in its uses.
    static func kernelNames(in source: String) -> Set<String> {
        var names = Set(
            source.split(separator: "__kernel").dropFirst().compactMap { text -> String? in
                guard let void = text.firstRange(of: "void ") else { return nil }
                return text[void.upperBound...].split(separator: "(").first.map(String.init)
            })
        names.remove("name")  // BINARY_KERNEL(name, expression) in elementwise.cl
        for line in source.split(separator: "\n") where line.hasPrefix("BINARY_KERNEL(") {
            names.insert(String(line.dropFirst("BINARY_KERNEL(".count).prefix { $0 != "," }))
        }
        return names
    }

    /// The kernels of every built-in update rule, which name their own.
    static let updateRuleKernels = Set(
        UpdateRuleVariants.all.map {
            OptimizerKernelArguments(OptimizerStep(rule: $0.rule, learningRate: 0.1, stepNumber: 1))
                .function
        })

    @Test func theEnumAndTheRulesNameEveryKernelOfTheSourcesAndNoOther() {
        for program in KernelProgram.allCases {
            let inSource = Self.kernelNames(in: program.source)
            var inEnum = Set(Kernel.allCases.filter { $0.program == program }.map(\.rawValue))
            if program == .core { inEnum.formUnion(Self.updateRuleKernels.map(\.name)) }
            #expect(
                inSource == inEnum,
                "\(program.name): only in the source \(inSource.subtracting(inEnum).sorted()), only in the enum \(inEnum.subtracting(inSource).sorted())"
            )
        }
    }

    @Test func everyKernelIsCreatedOnThisDriver() throws {
        let core = try OpenCLTestSupport.makeBackend()
        var products: [OpenCLTuning.MatmulStrategy: OpenCLBackend] = [:]
        for strategy in OpenCLTuning.MatmulStrategy.allCases {
            products[strategy] = try OpenCLTestSupport.makeBackend(matmulStrategy: strategy)
        }
        for kernel in Kernel.allCases {
            let backend = kernel.matmulStrategy.flatMap { products[$0] } ?? core
            #expect(throws: Never.self, "\(kernel.rawValue)") {
                _ = try backend.makeKernel(kernel.function)
            }
            #expect(
                (kernel.matmulStrategy != nil) == (kernel.program == .matmul), "\(kernel.rawValue)")
        }
        for function in Self.updateRuleKernels {
            #expect(throws: Never.self, "\(function.name)") { _ = try core.makeKernel(function) }
        }
    }

    @Test func theCodesComeFromTheSwiftEnums() {
        #expect(
            KernelSource.codes.contains(
                "#define ACTIVATION_LEAKY_RELU \(ActivationCode.leakyRelu.rawValue)\n"))
        #expect(
            KernelSource.codes.contains(
                "#define OPTIMIZER_FLAG_FIRST_STEP \(OptimizerFlag.firstStep.rawValue)\n"))
        #expect(
            KernelSource.codes.contains(
                "#define REDUCE_SUM_OF_SQUARES \(ReduceCode.sumOfSquares.rawValue)\n"))
        let defines = KernelSource.codes.split(separator: "\n").filter { $0.hasPrefix("#define ") }
        let cases =
            ActivationCode.allCases.count + LossCode.allCases.count + ReduceCode.allCases.count
            + OptimizerFlag.allCases.count
        #expect(defines.count == cases, "one #define per case")
        for (file, source) in KernelSource.all {
            #expect(
                !source.contains("#define ACTIVATION_RELU")
                    && !source.contains("#define OPTIMIZER_FLAG_"), "\(file) defines a code by hand"
            )
        }
    }
}
