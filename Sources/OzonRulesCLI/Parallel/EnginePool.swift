import Dispatch
import Foundation
import LuaKit
import PostingModel
import RulesEngine

/// One rules engine (one Lua state) per worker; a batch of work items is
/// spread over the workers and the results come back in input order, so
/// output is identical to a single-worker run.
final class EnginePool: @unchecked Sendable {
    // Safety: engine `i` is only touched by the worker with index `i`, and the
    // workers of one batch never share an index (see `map`).
    private let engines: [RulesEngine]

    var count: Int { engines.count }

    init(folder: RulesFolder, limits: LuaLimits, jobs: Int) throws(RulesLoadError) {
        var engines: [RulesEngine] = []
        for _ in 0..<max(1, jobs) {
            engines.append(try RulesEngine(folder: folder, limits: limits))
        }
        self.engines = engines
    }

    /// Evaluates `items` over all workers; `body` runs on worker threads.
    func map<Item: Sendable, Result: Sendable>(_ items: [Item], _ body: @Sendable @escaping (RulesEngine, Item) -> Result) -> [Result] {
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
    func forEachWorker(_ body: @Sendable @escaping (Int, RulesEngine) -> Void) {
        DispatchQueue.concurrentPerform(iterations: engines.count) { worker in
            body(worker, engines[worker])
        }
    }
}

/// Write-once slots filled by concurrent workers at distinct indices.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
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
