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
    let now: Timestamp
    let writer: ResultWriter
    private var outcome = Outcome()
    private var progress = TerminalProgress(verb: "evaluated")
    private var stdinBytes: [UInt8]?
    /// Input waiting to be handed to the workers (in input order).
    private var batch: [Work] = []
    static let batchSize = 512
    /// Returns met so far; they are evaluated once every posting has been read.
    private var returns: [ReturnEvent] = []
    /// Files that held at least one posting (read again to join returns).
    private var postingSources: [String] = []
    /// Position of the next item in its file (by place on the command line),
    /// as `InputError` numbers items.
    private var itemIndex = (file: -1, next: 0)
    /// The last file (by place) that held a posting.
    private var lastPostingFile = -1

    init(pool: RulesEnginePool, now: Timestamp, writer: ResultWriter) {
        self.pool = pool
        self.now = now
        self.writer = writer
    }

    func run(files: [String]) -> Outcome {
        for (fileNumber, file) in files.enumerated() {
            forEachChunk(in: file, fileNumber: fileNumber) { work in
                batch.append(work)
                if batch.count >= Self.batchSize { flushBatch() }
            }
        }
        finishBatches()

        if !returns.isEmpty {
            let wanted = Set(returns.map(\.postingNumber))
            var postings: [String: Posting] = [:]
            for file in postingSources {
                forEachItem(in: file) { item in
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

    /// One unit of input for a worker: an item already decoded, or an NDJSON
    /// line the worker decodes itself (so decoding runs on every core, and
    /// each posting lives and dies on the worker's thread).
    struct Work: Sendable {
        /// The path as given on the command line, and its place there.
        var source: String
        var fileNumber: Int
        /// The name errors use (`<stdin>` for `-`).
        var displayName: String
        var input: InputChunk

        /// The unit's items, decoding its line if it is one (numbered from 0).
        var items: [InputItem] {
            switch input {
            case .item(let item): [item]
            case .line(let bytes, let number): InputDecoder.decodeLine(bytes, number: number, file: displayName)
            }
        }
    }

    /// What a worker makes of one item.
    enum Produced: Sendable {
        case result(Evaluation?, line: [UInt8]?, errors: [RuleError])
        case inputError(InputError)
        case returnEvent(ReturnEvent)
    }

    /// Decodes, evaluates and, for NDJSON output, writes one unit of input.
    private static func process(_ work: Work, engine: RulesEngine, now: Timestamp, serialize: Bool) -> [Produced] {
        work.items.map { item in
            switch item {
            case .posting(let posting, _):
                let evaluation = engine.evaluate(posting, now: now)
                guard serialize else { return .result(evaluation, line: nil, errors: evaluation.errors) }
                var line: [UInt8] = []
                ResultWriter.writeLine(evaluation, into: &line)
                return .result(nil, line: line, errors: evaluation.errors)
            case .returnEvent(let event, _): return .returnEvent(event)
            case .failure(let error): return .inputError(error)
            }
        }
    }

    /// The batch the workers are processing while this thread reads the next one.
    private var inFlight: (work: [Work], results: PendingResults<[Produced]>)?

    /// Hands the waiting input to the workers and emits the results of the
    /// batch before it while they run. The workers were busy with that batch
    /// while this thread read the new one, so reading, evaluating and writing
    /// overlap; the engines only ever work on one batch at a time.
    private func flushBatch() {
        guard !batch.isEmpty else { return }
        let previous = inFlight.map { ($0.work, $0.results.wait()) }
        let now = self.now
        let serialize = writer.takesSerializedLines
        inFlight = (batch, pool.start(batch) { engine, work in
            EvaluationRunner.process(work, engine: engine, now: now, serialize: serialize)
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
            emit(last.work, last.results.wait())
        }
    }

    private func emit(_ work: [Work], _ produced: [[Produced]]) {
        for (unit, results) in zip(work, produced) {
            for result in results {
                if itemIndex.file != unit.fileNumber { itemIndex = (unit.fileNumber, 0) }
                let index = itemIndex.next
                itemIndex.next += 1
                switch result {
                case .result(let evaluation, let line, let errors):
                    if lastPostingFile != unit.fileNumber {
                        lastPostingFile = unit.fileNumber
                        postingSources.append(unit.source)
                    }
                    if let evaluation {
                        emit(evaluation)
                    } else if let line {
                        count(errors)
                        writer.writeSerialized(line)
                    }
                case .inputError(let error):
                    emitInputError(error.renumbered(index))
                case .returnEvent(let event):
                    returns.append(event)
                }
            }
        }
    }

    private func emit(_ evaluation: Evaluation) {
        count(evaluation.errors)
        writer.write(evaluation)
    }

    /// Counts one evaluated item and reports its errors.
    private func count(_ errors: [RuleError]) {
        outcome.evaluated += 1
        if !errors.isEmpty {
            outcome.failures += 1
            for error in errors { Diagnostics.write(error.description) }
        }
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

    /// Calls `body` for every item or NDJSON line of a file (or stdin for
    /// `-`); an unreadable file is reported once and marks the run as exit code 2.
    private func forEachChunk(in file: String, fileNumber: Int, reportErrors: Bool = true, _ body: (Work) -> Void) {
        do {
            if file == "-" {
                if stdinBytes == nil { stdinBytes = Array(FileHandle.standardInput.readDataToEndOfFile()) }
                for item in try InputDecoder.decode(bytes: stdinBytes!, file: "<stdin>") {
                    body(Work(source: file, fileNumber: fileNumber, displayName: "<stdin>", input: .item(item)))
                }
            } else {
                let reader = try InputReader(path: file)
                while let chunk = reader.nextChunk() {
                    body(Work(source: file, fileNumber: fileNumber, displayName: reader.file, input: chunk))
                }
            }
        } catch {
            guard reportErrors else { return }
            Diagnostics.write("ozon-rules: error: \(error)")
            outcome.unreadableInput = true
        }
    }

    /// Calls `body` for every item of a file read again (to join returns with
    /// their postings); its errors were reported on the first read.
    private func forEachItem(in file: String, _ body: (InputItem) -> Void) {
        forEachChunk(in: file, fileNumber: -1, reportErrors: false) { work in work.items.forEach(body) }
    }
}
