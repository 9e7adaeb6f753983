import ArgumentParser
import Descent

/// The `descent` command-line tool.
@main
struct DescentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train neural networks on OpenCL devices, and see how the training went.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ExportCommand.self,
            GradcheckCommand.self,
            LearningRateFindCommand.self, SearchCommand.self,
            DevicesCommand.self,
        ]
    )

    /// Parses and runs the command. A mistake in the arguments is one line on standard error,
    /// like every other error: `error: descent: <what> (see 'descent <command> --help')`, exit status 1
    /// (help and version requests print as usual).
    static func main() {
        let poclFolder = PoCLCacheFolder.prepare()
        CrashHint.install(poclFolder: poclFolder)
        for line in poclFolder.map(PoCLCacheCheck.removeDamagedPrograms) ?? [] {
            StandardError.line("note: \(line)")
        }
        let arguments = joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if let size = DistributedLaunch.launchedSize(), size > 1,
                !(command is TrainCommand || command is SearchCommand)
            {
                throw ValidationError(
                    "only train and search run as a job of several processes; run this command without mpirun (it was started as one of \(size))"
                )
            }
            try command.run()
        } catch {
            guard !(error is ExitCode), exitCode(for: error) != .success else {
                exit(withError: error)
            }
            let commands = configuration.subcommands.map { $0.configuration.commandName ?? "" }
            let words = arguments.prefix(1).filter { commands.contains($0) }
            let help = (["descent"] + words + ["--help"]).joined(separator: " ")
            StandardError.line(errorLine("error: descent: \(message(for: error)) (see '\(help)')"))
            exit(withError: ExitCode.failure)
        }
    }

    /// `--lr -1` as `--lr=-1`: the argument parser reads a word starting with `-` as an option, so
    /// a negative number after a space would be "a missing value" instead of the value it is (and
    /// then be refused, when it is, with the option's own message).
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return joined + arguments[index...] }  // the end of the options
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
                isNegativeNumber(arguments[index + 1])
            {
                joined.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                joined.append(argument)
                index += 1
            }
        }
        return joined
    }

    /// `-1`, `-0.5`, `-.5`, `-1e-3`, `-inf`: a minus sign and then a number.
    static func isNegativeNumber(_ word: String) -> Bool {
        word.count > 1 && word.hasPrefix("-") && Double(word) != nil
    }
}
