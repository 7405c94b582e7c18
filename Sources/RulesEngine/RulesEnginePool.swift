import Dispatch
import LuaKit

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
    public func map<Item: Sendable, Result: Sendable>(_ items: [Item], _ body: @Sendable (RulesEngine, Item) -> Result) -> [Result] {
        if engines.count == 1 || items.count < 2 {
            return items.map { body(engines[0], $0) }
        }
        let results = ResultSlots<Result>(count: items.count)
        let workers = min(engines.count, items.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let engine = engines[worker]
            var index = worker
            while index < items.count {
                results.set(index, body(engine, items[index]))
                index += workers
            }
        }
        return results.values()
    }

    /// Runs `body` once per worker, concurrently, each with its own engine.
    public func forEachWorker(_ body: @Sendable (Int, RulesEngine) -> Void) {
        DispatchQueue.concurrentPerform(iterations: engines.count) { worker in
            body(worker, engines[worker])
        }
    }
}

/// Write-once slots filled by concurrent workers at distinct indices.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // Safety: each index is written by exactly one worker, and read only after
    // concurrentPerform has returned (which orders the writes before the reads).
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
