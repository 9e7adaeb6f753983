import ArgumentParser

/// The `descent` command-line tool.
@main
struct DescentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train neural networks on OpenCL devices, and debug the training.",
        subcommands: [DevicesCommand.self, TrainCommand.self]
    )
}
