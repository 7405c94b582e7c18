import PostingModel
import RulesEngine

/// Where the evaluate use case reports: results, problems and progress. The runtime never
/// prints; the command line implements this over its result writer and stderr.
///
/// Called on the thread that runs `EvaluationRunner.run`, in output order.
package protocol EvaluationSink: AnyObject {
    /// How a result becomes bytes, when results may be written ahead on the workers (NDJSON):
    /// the runner then hands them over through `serializedResult`. `nil` for formats that need
    /// every result as a value (a table, a JSON array).
    var resultSerializer: (@Sendable (Evaluation) -> [UInt8])? { get }
    /// One result, in output order.
    func result(_ evaluation: Evaluation)
    /// One result already made into bytes by `resultSerializer`, in output order.
    func serializedResult(_ bytes: [UInt8])
    /// A problem with one item (a rule error or an input error), as a diagnostic.
    func problem(_ error: RuleError)
    /// An input that cannot be read at all (a missing file, JSON that does not parse).
    func unreadableInput(_ error: InputFileError)
    /// How many items have been evaluated so far.
    func progress(evaluated: Int)
    /// The input paused (a pipe with nothing to read yet) and every result so far has been
    /// handed over: a good moment to push buffered output out.
    func flush()
}
