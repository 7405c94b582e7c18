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

    let pool: RulesEnginePool
    let now: EvaluationTime
    let writer: ResultWriter
    private var outcome = Outcome()
    private var progress = TerminalProgress(verb: "evaluated")
    private var stdinBytes: [UInt8]?
    /// Items waiting to be evaluated together (in input order).
    private var batch: [InputItem] = []
    static let batchSize = 512

    init(pool: RulesEnginePool, now: EvaluationTime, writer: ResultWriter) {
        self.pool = pool
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
                case .posting:
                    sawPosting = true
                    batch.append(item)
                case .returnEvent(let event, _):
                    returns.append(event)
                case .failure:
                    batch.append(item)
                }
                if batch.count >= Self.batchSize { flushBatch() }
            }
            if sawPosting { postingSources.append(file) }
        }
        finishBatches()

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
            let now = self.now
            let pairs = returns.map { ReturnWork(event: $0, posting: postings[$0.postingNumber]) }
            for start in stride(from: 0, to: pairs.count, by: Self.batchSize) {
                let slice = Array(pairs[start..<min(start + Self.batchSize, pairs.count)])
                for evaluation in pool.map(slice, { engine, work in engine.evaluate(work.event, posting: work.posting, now: now) }) {
                    emit(evaluation)
                }
            }
        }
        progress.finish()
        return outcome
    }

    struct ReturnWork: Sendable {
        var event: ReturnEvent
        var posting: Posting?
    }

    /// The batch the workers are evaluating while this thread reads the next one.
    private var inFlight: (items: [InputItem], results: PendingResults<Evaluation?>)?

    /// Hands the waiting postings to the workers and emits the results of the
    /// batch before them while they run. The workers were busy with that batch
    /// while this thread read the new one, so reading, evaluating and writing
    /// overlap; the engines only ever work on one batch at a time.
    private func flushBatch() {
        guard !batch.isEmpty else { return }
        let previous = inFlight.map { ($0.items, $0.results.wait()) }
        let now = self.now
        inFlight = (batch, pool.start(batch) { engine, item -> Evaluation? in
            if case .posting(let posting, _) = item { return engine.evaluate(posting, now: now) }
            return nil
        })
        batch = []
        batch.reserveCapacity(Self.batchSize)
        if let previous { emit(previous.0, previous.1) }
    }

    /// Waits for the batch in flight and emits its results.
    private func finishBatches() {
        flushBatch()
        if let last = inFlight {
            inFlight = nil
            emit(last.items, last.results.wait())
        }
    }

    private func emit(_ items: [InputItem], _ results: [Evaluation?]) {
        for (item, result) in zip(items, results) {
            if let result {
                emit(result)
            } else if case .failure(let error) = item {
                emitInputError(error)
            }
        }
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
