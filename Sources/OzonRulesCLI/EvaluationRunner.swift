import Foundation
import PostingModel
import RulesEngine

/// Reads inputs, evaluates every posting and return, and hands results to a writer.
///
/// Postings stream (NDJSON is never loaded whole); returns are kept until every
/// input has been read, then joined with their postings by `posting_number`
/// (a second read of the inputs picks up just those postings).
final class EvaluationRunner {
    struct Outcome {
        var evaluated = 0
        var failures = 0
        var unreadableInput = false
    }

    let engine: RulesEngine
    let now: EvaluationTime
    let writer: ResultWriter
    private var outcome = Outcome()
    private var progress = Progress()
    private var stdinBytes: [UInt8]?

    init(engine: RulesEngine, now: EvaluationTime, writer: ResultWriter) {
        self.engine = engine
        self.now = now
        self.writer = writer
    }

    func run(files: [String]) -> Outcome {
        var returns: [ReturnEvent] = []
        var postingSources: [String] = []
        for file in files {
            var sawPosting = false
            forEachItem(in: file) { item in
                switch item {
                case .posting(let posting, _):
                    sawPosting = true
                    emit(engine.evaluate(posting, now: now))
                case .returnEvent(let event, _):
                    returns.append(event)
                case .failure(let error):
                    emitInputError(error)
                }
            }
            if sawPosting { postingSources.append(file) }
        }

        if !returns.isEmpty {
            let wanted = Set(returns.map(\.postingNumber))
            var postings: [String: Posting] = [:]
            for file in postingSources {
                forEachItem(in: file, reportErrors: false) { item in
                    if case .posting(let posting, _) = item, wanted.contains(posting.postingNumber) {
                        postings[posting.postingNumber] = posting
                    }
                }
            }
            for event in returns {
                emit(engine.evaluate(event, posting: postings[event.postingNumber], now: now))
            }
        }
        progress.finish()
        return outcome
    }

    private func emit(_ evaluation: Evaluation) {
        outcome.evaluated += 1
        if !evaluation.errors.isEmpty {
            outcome.failures += 1
            for error in evaluation.errors { Diagnostics.write(error.description) }
        }
        writer.write(evaluation)
        progress.tick(outcome.evaluated)
    }

    private func emitInputError(_ error: InputError) {
        // The message names the item (0-based, as jq would index it) and the field.
        var message = error.message
        if let index = error.index { message = "item \(index): " + message }
        let ruleError = RuleError(code: .inputError, file: error.file, line: error.line, postingNumber: error.postingNumber,
                                  message: message)
        Diagnostics.write(ruleError.description)
        outcome.failures += 1
        writer.write(Evaluation(postingNumber: error.postingNumber, status: nil, errors: [ruleError]))
    }

    /// Calls `body` for every item of a file (or stdin for `-`); an unreadable
    /// file is reported once and marks the run as exit code 2.
    private func forEachItem(in file: String, reportErrors: Bool = true, _ body: (InputItem) -> Void) {
        do {
            if file == "-" {
                if stdinBytes == nil { stdinBytes = Array(FileHandle.standardInput.readDataToEndOfFile()) }
                for item in try InputDecoder.decode(bytes: stdinBytes!, file: "<stdin>") { body(item) }
            } else {
                let reader = try InputReader(path: file)
                while let item = reader.next() { body(item) }
            }
        } catch {
            if reportErrors {
                Diagnostics.write("ozon-rules: error: \(error)")
                outcome.unreadableInput = true
            }
        }
    }
}

/// A count on stderr while a long run goes on, only on a terminal.
struct Progress {
    private let enabled = Diagnostics.stderrIsTerminal
    private var lastUpdate = ContinuousClock.now
    private var shown = false

    mutating func tick(_ count: Int) {
        guard enabled, count % 256 == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastUpdate > .milliseconds(250) else { return }
        lastUpdate = now
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[Kevaluated \(count)…".utf8))
    }

    mutating func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
