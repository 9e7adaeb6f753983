// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Descent",
    products: [
        .library(name: "Descent", targets: ["Descent"]),
        .executable(name: "descent", targets: ["descent"]),
        .executable(name: "descent-bench", targets: ["descent-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "COpenCL",
            path: "Sources/COpenCL",
            providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "DescentCore"),
        .target(name: "DescentCPU", dependencies: ["DescentCore"]),
        .target(
            name: "DescentKernels",
            path: "Kernels",
            exclude: ["README.md"],
            plugins: ["EmbedKernels"]
        ),
        .target(
            name: "DescentOpenCL",
            dependencies: ["DescentCore", "COpenCL", "DescentKernels"]
        ),
        // The training core above the backends: models, training, optimizers, schedules,
        // initializers, checkpoints, metrics, data sets with their splits and scaling. Generic
        // over the Backend protocol: it knows neither backend.
        .target(name: "DescentTraining", dependencies: ["DescentCore"]),
        // The workshop around it: diagnostics (the gradient check runs on the CPU reference),
        // the report, search, and the file and data-set readers. It depends on the core, never
        // the reverse.
        .target(name: "DescentWorkshop", dependencies: ["DescentTraining", "DescentCPU", "CZlib"]),
        // `import Descent` gives a user everything: both backends, the core and the workshop.
        .target(
            name: "Descent",
            dependencies: ["DescentCPU", "DescentOpenCL", "DescentTraining", "DescentWorkshop"]
        ),
        .executableTarget(
            name: "descent",
            dependencies: [
                "Descent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "descent-bench",
            dependencies: [
                "Descent", "COpenCL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks",
            exclude: ["anchors"]
        ),
        .executableTarget(name: "KernelEmbedder"),
        .plugin(
            name: "EmbedKernels",
            capability: .buildTool(),
            dependencies: ["KernelEmbedder"]
        ),
        .target(
            name: "DescentTestSupport",
            dependencies: ["DescentCore", "DescentCPU", "DescentOpenCL", "DescentTraining"],
            path: "Tests/DescentTestSupport"
        ),
        .testTarget(name: "CPUBackendTests", dependencies: ["DescentCPU", "DescentTestSupport"]),
        .testTarget(
            name: "BackendParityTests",
            dependencies: ["DescentCPU", "DescentOpenCL", "DescentTraining", "DescentTestSupport"]
        ),
        .testTarget(
            name: "DescentTests",
            dependencies: [
                "Descent", "DescentTraining", "DescentWorkshop", "DescentTestSupport", "CZlib",
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["descent", "DescentTestSupport"]),
        .testTarget(
            name: "OpenCLRuntimeTests",
            dependencies: [
                "DescentOpenCL", "DescentKernels", "DescentTraining", "DescentTestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
