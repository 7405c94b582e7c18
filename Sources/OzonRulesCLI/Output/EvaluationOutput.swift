import PostingModel
import RulesEngine
import RulesRuntime

/// The evaluate use case's sink on the command line: results through a `ResultWriter`,
/// problems on stderr, progress on a terminal.
final class EvaluationOutput: EvaluationSink {
    let writer: ResultWriter
    private let err: ByteSink
    private var progress: TerminalProgress

    init(writer: ResultWriter, err: ByteSink) {
        self.writer = writer
        self.err = err
        progress = TerminalProgress(verb: "evaluated", err: err)
    }

    var resultSerializer: (@Sendable (Evaluation) -> [UInt8])? {
        guard writer.takesSerializedLines else { return nil }
        return { evaluation in
            var line: [UInt8] = []
            ResultWriter.writeLine(evaluation, into: &line)
            return line
        }
    }

    func result(_ evaluation: Evaluation) { writer.write(evaluation) }

    func serializedResult(_ bytes: [UInt8]) { writer.writeSerialized(bytes) }

    func problem(_ error: RuleError) { err.writeLine(error.description) }

    func unreadableInput(_ error: InputFileError) { err.writeLine("ozon-rules: error: \(error)") }

    func progress(evaluated: Int) { progress.tick(evaluated) }

    func flush() { writer.flush() }

    /// After the last result: clears the progress line and closes the output (a JSON array's
    /// bracket, a table).
    func finish() {
        progress.finish()
        writer.finish()
    }
}
