import PostingModel
import RulesEngine

/// The evaluate use case: reads inputs, evaluates every posting and return, and reports
/// results to a sink, postings first in input order, then returns.
///
/// Every input streams (NDJSON files and stdin alike are never loaded whole; other JSON
/// documents are read whole). Returns are kept until every input has been read, then joined
/// with their postings by `posting_number` through a `PostingIndex`, so no input is read twice.
package final class EvaluationRunner {
    package struct Outcome: Sendable, Equatable {
        package var evaluated = 0
        package var failures = 0
        package var unreadableInput = false
    }

    let pool: RulesEnginePool
    let now: Timestamp
    let sink: EvaluationSink
    /// What `-` reads.
    let standardInput: Int32
    private var outcome = Outcome()
    /// Input waiting to be handed to the workers (in input order).
    private var batch: [Work] = []
    static let batchSize = 512
    /// Returns met so far; they are evaluated once every posting has been read.
    private var returns: [ReturnEvent] = []
    /// Where the postings met so far can be read again, for the returns.
    private var index = PostingIndex(files: [])
    /// Position of the next item in its file (by place on the command line),
    /// as `InputError` numbers items.
    private var itemIndex = (file: -1, next: 0)

    /// `standardInput` is the descriptor `-` reads (the process's stdin by default).
    package init(pool: RulesEnginePool, now: Timestamp, sink: EvaluationSink, standardInput: Int32 = 0) {
        self.pool = pool
        self.now = now
        self.sink = sink
        self.standardInput = standardInput
    }

    /// Evaluates the files in order (`-` is `standardInput`).
    package func run(files: [String]) -> Outcome {
        index = PostingIndex(files: files)
        for (fileNumber, file) in files.enumerated() {
            forEachChunk(in: file, fileNumber: fileNumber) { work in
                batch.append(work)
                if batch.count >= Self.batchSize { flushBatch() }
            }
        }
        finishBatches()
        evaluateReturns()
        return outcome
    }

    // MARK: Postings

    /// One unit of input for a worker: an item already decoded, or an NDJSON
    /// line the worker decodes itself (so decoding runs on every core, and
    /// each posting lives and dies on the worker's thread).
    struct Work: Sendable {
        /// The input's place among the run's files.
        var fileNumber: Int
        /// The name errors use (`<stdin>` for `-`).
        var displayName: String
        var input: InputChunk
        /// Where a line starts in its file, when that is a regular file it can be read from
        /// again; nil for a line from a pipe, which is spooled instead.
        var fileOffset: Int?

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
        case result(Evaluation?, serialized: [UInt8]?, postingNumber: String, errors: [RuleError])
        case inputError(InputError)
        case returnEvent(ReturnEvent)
    }

    /// Decodes, evaluates and, when the sink takes them so, serializes one unit of input.
    private static func process(
        _ work: Work, engine: RulesEngine, now: Timestamp, serializer: (@Sendable (Evaluation) -> [UInt8])?
    ) -> [Produced] {
        work.items.map { item in
            switch item {
            case .posting(let posting, _):
                let evaluation = engine.evaluate(posting, now: now)
                guard let serializer else {
                    return .result(evaluation, serialized: nil, postingNumber: posting.postingNumber, errors: evaluation.errors)
                }
                return .result(nil, serialized: serializer(evaluation), postingNumber: posting.postingNumber, errors: evaluation.errors)
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
        let serializer = sink.resultSerializer
        inFlight = (batch, pool.start(batch) { engine, work in
            EvaluationRunner.process(work, engine: engine, now: now, serializer: serializer)
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
            var spooledAt: Int?
            for (item, result) in results.enumerated() {
                if itemIndex.file != unit.fileNumber { itemIndex = (unit.fileNumber, 0) }
                let position = itemIndex.next
                itemIndex.next += 1
                switch result {
                case .result(let evaluation, let serialized, let postingNumber, let errors):
                    remember(postingNumber, item: item, of: unit, spooledAt: &spooledAt)
                    if let evaluation {
                        emit(evaluation)
                    } else if let serialized {
                        count(errors)
                        sink.serializedResult(serialized)
                    }
                case .inputError(let error):
                    emitInputError(error.renumbered(position))
                case .returnEvent(let event):
                    returns.append(event)
                }
            }
        }
    }

    /// Notes where the posting that is `item` of `unit` can be read again.
    private func remember(_ postingNumber: String, item: Int, of unit: Work, spooledAt: inout Int?) {
        switch unit.input {
        case .line(let bytes, _):
            if let offset = unit.fileOffset {
                index.add(postingNumber, file: unit.fileNumber, offset: offset, length: bytes.count, item: item)
            } else {
                let offset = spooledAt ?? index.spool(line: bytes)
                spooledAt = offset
                index.add(postingNumber, spooledLineAt: offset, length: bytes.count, item: item)
            }
        case .item(.posting(let posting, _)):
            index.add(posting)
        case .item:
            break
        }
    }

    private func emit(_ evaluation: Evaluation) {
        count(evaluation.errors)
        sink.result(evaluation)
    }

    /// Counts one evaluated item and reports its errors.
    private func count(_ errors: [RuleError]) {
        outcome.evaluated += 1
        if !errors.isEmpty {
            outcome.failures += 1
            for error in errors { sink.problem(error) }
        }
        sink.progress(evaluated: outcome.evaluated)
    }

    private func emitInputError(_ error: InputError) {
        // The message names the item (0-based, as jq would index it) and the field.
        var message = error.message
        if let index = error.index { message = "item \(index): " + message }
        let ruleError = RuleError(code: .inputError, file: error.file, line: error.line, postingNumber: error.postingNumber,
                                  message: message)
        sink.problem(ruleError)
        outcome.failures += 1
        sink.result(Evaluation(postingNumber: error.postingNumber, status: nil, errors: [ruleError]))
    }

    // MARK: Returns

    struct ReturnWork: Sendable {
        var event: ReturnEvent
        var posting: PostingBytes?
    }

    /// Evaluates the returns, in input order, each with the posting of its number (read back
    /// from where the index says, a batch at a time, and decoded on the workers).
    private func evaluateReturns() {
        guard !returns.isEmpty else { return }
        index.find(Set(returns.map(\.postingNumber)))
        let now = self.now
        for start in stride(from: 0, to: returns.count, by: Self.batchSize) {
            let slice = returns[start..<min(start + Self.batchSize, returns.count)].map { event in
                ReturnWork(event: event, posting: index.postingBytes(event.postingNumber))
            }
            let evaluations = pool.map(slice) { engine, work in
                engine.evaluate(work.event, posting: work.posting?.posting, now: now)
            }
            for evaluation in evaluations { emit(evaluation) }
        }
        index.closeFiles()
    }

    // MARK: Reading

    /// Calls `body` for every item or NDJSON line of a file (or `standardInput` for `-`); an
    /// unreadable file is reported once and marks the run as exit code 2. When a pipe has
    /// nothing to read yet, what was read so far is evaluated and reported first, so results
    /// come out as lines come in.
    private func forEachChunk(in file: String, fileNumber: Int, _ body: (Work) -> Void) {
        let reader: InputReader
        do {
            reader = file == "-"
                ? try InputReader(descriptor: standardInput, displayName: "<stdin>")
                : try InputReader(path: file)
        } catch {
            sink.unreadableInput(error)
            outcome.unreadableInput = true
            return
        }
        if !reader.isRegularFile {
            reader.beforeWaiting = { [unowned self] in
                finishBatches()
                sink.flush()
            }
        }
        while let chunk = reader.nextChunk() {
            var offset: Int?
            if case .line = chunk, reader.isRegularFile { offset = reader.lineOffset }
            body(Work(fileNumber: fileNumber, displayName: reader.file, input: chunk, fileOffset: offset))
        }
    }
}
