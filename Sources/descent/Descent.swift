import ArgumentParser

/// The `descent` command-line tool.
@main
struct DescentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train neural networks on OpenCL devices, and see how the training went.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, GradcheckCommand.self, LearningRateFindCommand.self, SearchCommand.self,
            DevicesCommand.self,
        ]
    )
}
