import PackagePlugin

/// Embeds every `Kernels/*.cl` file into the `DescentKernels` module as a string constant of
/// `enum KernelSource`, so that no kernel is looked up on disk at run time: a copied static binary
/// and a package that depends on Descent carry their kernels with them.
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let kernels = target.sourceFiles
            .map(\.url)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "KernelSource.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(kernels.count) OpenCL kernel files",
                executable: try context.tool(named: "KernelEmbedder").url,
                arguments: [output.path(percentEncoded: false)]
                    + kernels.map { $0.path(percentEncoded: false) },
                inputFiles: kernels,
                outputFiles: [output]
            )
        ]
    }
}
