import ArgumentParser
import Descent
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a command's lines go. Progress (the device, the epochs, findings as they come) is shown
/// unless `--quiet`; results always; with `--json` standard output carries only the JSON object,
/// so everything else goes to standard error. A muted console (the ranks of a distributed job
/// other than rank 0) prints nothing.
struct Console {
    let json: Bool
    let quiet: Bool
    var muted = false

    /// A line of progress.
    func progress(_ line: String) {
        guard !quiet, !muted else { return }
        json ? StandardError.line(line) : StandardOutput.line(line)
    }

    /// A line of the results.
    func result(_ line: String) {
        guard !muted else { return }
        json ? StandardError.line(line) : StandardOutput.line(line)
    }

    /// The JSON object of the results, on standard output (with `--json`).
    func jsonObject(_ text: String) {
        guard json, !muted else { return }
        StandardOutput.line(text)
    }

    /// The test loss and metrics: accuracy, the confusion matrix and the per-class report for
    /// classification, MSE/MAE/RMSE/R^2 for regression.
    func results(_ evaluation: Evaluation) {
        if let accuracy = evaluation.accuracy {
            result(
                "Test loss \(ProgressBar.format(evaluation.loss)), accuracy \(ProgressBar.format(accuracy))"
            )
        } else {
            result("Test loss \(ProgressBar.format(evaluation.loss))")
        }
        if let report = evaluation.report {
            result(report.confusionMatrix.description)
            result(report.description)
        }
        if let regression = evaluation.regression { result(regression.description) }
    }

    /// The progress bar for `epochs` epochs, on the stream progress goes to; nil when quiet.
    func progressBar(epochs: Int) -> ProgressBar? {
        guard !quiet, !muted else { return nil }
        return json
            ? ProgressBar(
                epochs: epochs, interactive: isatty(STDERR_FILENO) == 1, write: StandardError.write)
            : ProgressBar(epochs: epochs)
    }
}

/// Runs a command's body, turning any error into one line on standard error ("error: ...")
/// and exit status 1: no stack traces, no usage dump.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        if case DescentError.kernelBuildFailed = error {
            // The compiler's log is the point of this error: printed whole, on its own lines.
            StandardError.line("error: \(error)")
        } else {
            StandardError.line(errorLine("\(error)"))
        }
        throw ExitCode.failure
    }
}

/// `message` as the one line an error gets: "error: " first, control characters (a newline or a
/// NUL from the input) escaped, and at most 600 characters, so that an error that quotes its
/// input (a megabyte-long field, a space of a thousand choices) stays readable.
func errorLine(_ message: String) -> String {
    let escaped = message.unicodeScalars.map {
        $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0)
    }.joined()
    let text = escaped.hasPrefix("error:") ? escaped : "error: " + escaped
    guard text.count > 600 else { return text }
    return text.prefix(480) + " ... " + text.suffix(115)
}
