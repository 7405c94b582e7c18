import Dispatch
import Foundation
import LuaKit
import Synchronization

/// One rules engine (one Lua state) per worker. A batch of items is spread
/// over the workers and the results come back in input order, so results never
/// depend on the number of workers.
///
/// Not for concurrent use: one caller hands it one batch at a time.
public final class RulesEnginePool: @unchecked Sendable {
    // Safety: during `map` and `forEachWorker`, engine `i` is used only by
    // worker `i`; outside them, only by the caller's thread (through `first`).
    private let engines: [RulesEngine]

    /// Workers over engines loaded from the same rules folder (at least one);
    /// the pool owns them from now on.
    public init(engines: [RulesEngine]) {
        precondition(!engines.isEmpty, "a pool needs at least one engine")
        self.engines = engines
    }

    /// `jobs` engines loaded from `folder`.
    public convenience init(folder: RulesFolder, limits: LuaLimits, jobs: Int) throws(RulesLoadError) {
        var engines: [RulesEngine] = []
        for _ in 0..<max(1, jobs) {
            engines.append(try RulesEngine(folder: folder, limits: limits))
        }
        self.init(engines: engines)
    }

    public var count: Int { engines.count }

    /// The engine for serial work, in the caller's thread.
    public var first: RulesEngine { engines[0] }

    /// `body` over every item, on all workers; results in item order.
    public func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (RulesEngine, Item) -> Result
    ) -> [Result] {
        if engines.count == 1 || items.count < 2 {
            return items.map { body(engines[0], $0) }
        }
        return start(items, body).wait()
    }

    /// Does what `map` does, in the background: returns at once, so the caller can
    /// read the next batch (or write the last one) while the workers run.
    /// Wait for a batch before starting the next.
    ///
    /// Workers take the next unclaimed item as they finish one, so a worker
    /// whose core is busy with something else (reading input, say) simply
    /// takes fewer items.
    ///
    /// The workers are threads of their own rather than Dispatch's: Dispatch
    /// sizes its pool to the cores, and the caller's thread, busy reading,
    /// would hold one of them back.
    public func start<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (RulesEngine, Item) -> Result
    ) -> PendingResults<Result> {
        let results = ResultSlots<Result>(count: items.count)
        let nextItem = ItemCounter()
        let workers = max(1, min(engines.count, items.count))
        let pending = PendingResults(slots: results, workers: workers)
        for worker in 0..<workers {
            let engine = UncheckedEngine(engine: engines[worker])
            let thread = Thread {
                while case let index = nextItem.claim(), index < items.count {
                    results.set(index, body(engine.engine, items[index]))
                }
                pending.workerFinished()
            }
            // Lua and the pattern matcher recurse on the C stack: give workers the room a main thread has.
            thread.stackSize = 16 << 20
            thread.start()
        }
        return pending
    }

    /// Does what `map` does without blocking the caller: for async callers, whose threads
    /// (Swift's cooperative pool, sized to the cores) must never wait on a rule.
    public func run<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (RulesEngine, Item) -> Result
    ) async -> [Result] {
        guard !items.isEmpty else { return [] }
        let pending = start(items, body)
        return await withCheckedContinuation { continuation in
            let waiter = Thread { continuation.resume(returning: pending.wait()) }
            waiter.start()
        }
    }

    /// Runs `body` once per worker, concurrently, each with its own engine.
    public func forEachWorker(_ body: @Sendable (Int, RulesEngine) -> Void) {
        DispatchQueue.concurrentPerform(iterations: engines.count) { worker in
            body(worker, engines[worker])
        }
    }
}

/// Write-once slots filled by concurrent workers at distinct indices.
fileprivate final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // Safety: each index is written by exactly one worker, and read only after
    // every worker has signalled the batch's semaphore, which orders the
    // writes before the reads.
    // A fixed buffer, so concurrent writes never trigger an array copy.
    private let storage: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func set(_ index: Int, _ value: Value) { storage[index] = value }

    func values() -> [Value] { storage.map { $0! } }
}

/// Results of a batch started with `RulesEnginePool.start`.
public final class PendingResults<Result: Sendable>: Sendable {
    private let slots: ResultSlots<Result>
    private let workers: Int
    private let finished = DispatchSemaphore(value: 0)

    fileprivate init(slots: ResultSlots<Result>, workers: Int) {
        self.slots = slots
        self.workers = workers
    }

    fileprivate func workerFinished() { finished.signal() }

    /// Blocks until every worker is done; call once.
    public func wait() -> [Result] {
        for _ in 0..<workers { finished.wait() }
        return slots.values()
    }
}

/// An engine handed to one worker thread for one batch.
private struct UncheckedEngine: @unchecked Sendable {
    // Safety: the pool gives each engine to exactly one worker per batch, and
    // batches never overlap.
    let engine: RulesEngine
}

/// Hands out item indices to workers, each exactly once.
private final class ItemCounter: Sendable {
    private let next = Atomic<Int>(0)

    func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
