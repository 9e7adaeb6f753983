import PackagePlugin

/// Embeds every `Kernels/*.cl` file into the `DescentKernels` module as a string constant of
/// `enum KernelSource`, so that no kernel is looked up on disk at run time: a copied static binary
/// and a package that depends on Descent carry their kernels with them. The `#define`s of the
/// kernels' numeric codes are generated from `Sources/DescentOpenCL/KernelCodes.swift`.
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let kernels = target.sourceFiles
            .map(\.url)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "KernelSource.swift")
        // The numeric codes the kernels switch on, declared once as Swift enums.
        let codes = context.package.directoryURL.appending(
            path: "Sources/DescentOpenCL/KernelCodes.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(kernels.count) OpenCL kernel files",
                executable: try context.tool(named: "KernelEmbedder").url,
                arguments: [output.path(percentEncoded: false), codes.path(percentEncoded: false)]
                    + kernels.map { $0.path(percentEncoded: false) },
                inputFiles: kernels + [codes],
                outputFiles: [output]
            )
        ]
    }
}
