import ArgumentParser
import Foundation
import LuaKit
import PostingModel
import RulesEngine
import Synchronization

/// `ozon-rules bench`: hook throughput and latency on given postings.
struct BenchCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure hook throughput and latency on the given postings.",
        discussion: """
            Loads the postings (and returns) once, then evaluates them over and over for \
            --duration seconds on --jobs workers, each with its own Lua state, exactly as \
            `evaluate` does (every hook of a transition, validation included). Prints \
            transitions per second, latency percentiles per hook, VM instructions per hook \
            (counted exactly in a separate pass) and the memory of each Lua state.

            Example:
              ozon-rules bench --rules examples/rules --jobs 1 --duration 5 \\
                  examples/postings/fbs-v4-list.json
            """
    )

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var jobOptions: JobOptions

    @Option(name: .long, help: ArgumentHelp("Seconds to run (after a short warm-up).", valueName: "S"))
    var duration: Double = 5

    @Option(name: .long, help: "Output format: text or json.")
    var format: BenchFormat = .text

    @Option(name: .long, help: ArgumentHelp("Evaluation time given to rules (UTC ISO 8601).", valueName: "ISO8601"))
    var now: String = "2026-05-20T12:00:00Z"

    @Option(name: .long, help: ArgumentHelp("Write the postings as the hooks see them (normalised, catalog merged) as NDJSON to FILE and exit; for peer comparisons.", valueName: "FILE"))
    var dumpNormalized: String?

    @Argument(help: ArgumentHelp("Files with postings or returns.", valueName: "FILE"))
    var files: [String]

    func validate() throws {
        guard duration > 0 && duration <= 3600 else { throw ValidationError("--duration must be between 0 and 3600 seconds") }
        try TimeOption.validateNow(now)
        if files.isEmpty { throw ValidationError("give at least one FILE") }
    }

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        let time = TimeOption.now(now)
        var work: [BenchWork] = []
        for file in files {
            do {
                for item in try InputDecoder.decode(path: file) {
                    switch item {
                    case .posting(let posting, _): work.append(.posting(posting))
                    case .returnEvent(let event, _): work.append(.returnEvent(event))
                    case .failure(let error): io.err.writeLine("ozon-rules: skipping \(error)")
                    }
                }
            } catch {
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(2)
            }
        }
        guard !work.isEmpty else {
            io.err.writeLine("ozon-rules: no postings to run")
            throw ExitCode(2)
        }
        let folder: RulesFolder
        let pool: RulesEnginePool
        do {
            folder = try RulesFolder(root: rulesOptions.rulesURL)
            pool = try RulesEnginePool(folder: folder, limits: limitOptions.limits, jobs: jobOptions.jobCount)
        } catch let error as RulesLoadError {
            for problem in error.errors { io.err.writeLine(problem.description) }
            throw ExitCode(1)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        if let dumpNormalized {
            var bytes: [UInt8] = []
            for case .posting(let posting) in work {
                JSONWriter.write(.object(folder.catalog.apply(to: posting).fields), into: &bytes)
                bytes.append(0x0A)
            }
            guard FileManager.default.createFile(atPath: dumpNormalized, contents: Data(bytes)) else {
                io.err.writeLine("ozon-rules: cannot write \(dumpNormalized)")
                throw ExitCode(2)
            }
            return
        }
        let report = BenchRunner(work: work, now: time, pool: pool, duration: duration).run(folder: folder, limits: limitOptions.limits)
        switch format {
        case .text: io.out.write(report.text)
        case .json: io.out.writeLine(JSONWriter.write(report.json, pretty: true))
        }
    }
}

enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum BenchWork: Sendable {
    case posting(Posting)
    case returnEvent(ReturnEvent)
}

/// Runs the timed loop on every worker and gathers latencies per hook.
struct BenchRunner {
    let work: [BenchWork]
    let now: Timestamp
    let pool: RulesEnginePool
    let duration: Double

    struct WorkerResult: Sendable {
        var transitions = 0
        var errors = 0
        var latencies: [String: [Int64]] = [:]
        var memoryBytes = 0
    }

    func run(folder: RulesFolder, limits: LuaLimits) -> BenchReport {
        let exactInstructions = countInstructions(folder: folder, limits: limits)
        let results = Mutex<[WorkerResult]>([])
        let work = self.work
        let now = self.now
        let duration = self.duration
        // Warm-up, not measured: fills caches and grows each state to size.
        pool.forEachWorker { _, engine in
            for item in work.prefix(2000) { _ = BenchRunner.evaluate(item, engine: engine, now: now) }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let cpuStarted = BenchRunner.processCPUSeconds()
        pool.forEachWorker { worker, engine in
            var result = WorkerResult()
            let deadline = ContinuousClock.now + .milliseconds(Int(duration * 1000))
            var index = worker % work.count
            while ContinuousClock.now < deadline {
                for _ in 0..<64 {
                    let evaluation = BenchRunner.evaluate(work[index], engine: engine, now: now)
                    result.transitions += 1
                    if !evaluation.errors.isEmpty { result.errors += 1 }
                    for run in evaluation.hookRuns {
                        result.latencies[BenchRunner.hookKey(run.hook), default: []].append(run.durationNanoseconds)
                    }
                    index = (index + 1) % work.count
                }
            }
            result.memoryBytes = engine.luaMemoryInUse
            results.withLock { $0.append(result) }
        }
        let elapsed = clock.now - started
        let cpuSeconds = BenchRunner.processCPUSeconds() - cpuStarted
        let all = results.withLock { $0 }
        var latencies: [String: [Int64]] = [:]
        for result in all {
            for (hook, values) in result.latencies { latencies[hook, default: []].append(contentsOf: values) }
        }
        let seconds = elapsed.inSeconds
        let measured = max(duration, seconds - 0.0)
        return BenchReport(
            jobs: pool.count, postings: work.count, seconds: measured, cpuSeconds: cpuSeconds,
            transitions: all.reduce(0) { $0 + $1.transitions }, failed: all.reduce(0) { $0 + $1.errors },
            hooks: latencies.keys.sorted().map { hook in
                BenchReport.HookFigures(hook: hook, latencies: latencies[hook]!, instructions: exactInstructions[hook])
            },
            memoryPerState: all.map(\.memoryBytes).max() ?? 0)
    }

    /// One pass with the count hook firing on every instruction: exact counts.
    private func countInstructions(folder: RulesFolder, limits: LuaLimits) -> [String: Double] {
        guard let engine = try? RulesEngine(folder: folder, limits: limits) else { return [:] }
        engine.instructionCountInterval = 1
        var totals: [String: (Int64, Int)] = [:]
        for item in work.prefix(500) {
            for run in BenchRunner.evaluate(item, engine: engine, now: now).hookRuns {
                let key = BenchRunner.hookKey(run.hook)
                totals[key, default: (0, 0)].0 += run.instructions
                totals[key, default: (0, 0)].1 += 1
            }
        }
        return totals.mapValues { Double($0.0) / Double(max(1, $0.1)) }
    }

    static func evaluate(_ item: BenchWork, engine: RulesEngine, now: Timestamp) -> Evaluation {
        switch item {
        case .posting(let posting): engine.evaluate(posting, now: now)
        case .returnEvent(let event): engine.evaluate(event, posting: nil, now: now)
        }
    }

    /// CPU seconds used by the whole process so far (user + system).
    static func processCPUSeconds() -> Double {
        Double(clock()) / Double(CLOCKS_PER_SEC)
    }

    /// Transition hooks are reported together as `transitions`.
    /// Keyed hooks count as one: `transitions:*` as `transitions`, every timer's `at` as `timers`.
    static func hookKey(_ hook: String) -> String {
        guard let colon = hook.firstIndex(of: ":") else { return hook }
        return String(hook[..<colon])
    }
}

struct BenchReport {
    struct HookFigures {
        var hook: String
        var calls: Int
        var p50, p90, p99, max: Int64
        var instructions: Double?

        init(hook: String, latencies: [Int64], instructions: Double?) {
            self.hook = hook
            let sorted = latencies.sorted()
            calls = sorted.count
            func percentile(_ p: Double) -> Int64 {
                guard !sorted.isEmpty else { return 0 }
                return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
            }
            p50 = percentile(0.50)
            p90 = percentile(0.90)
            p99 = percentile(0.99)
            self.max = sorted.last ?? 0
            self.instructions = instructions
        }
    }

    var jobs: Int
    var postings: Int
    var seconds: Double
    /// CPU time of the measured loop (all workers).
    var cpuSeconds: Double
    var transitions: Int
    var failed: Int
    var hooks: [HookFigures]
    var memoryPerState: Int

    var transitionsPerSecond: Double { Double(transitions) / seconds }

    var text: String {
        func micro(_ ns: Int64) -> String { String(format: "%.1f", Double(ns) / 1000) }
        var lines = [
            "ozon-rules bench: \(postings) items, \(jobs) job\(jobs == 1 ? "" : "s"), \(String(format: "%.1f", seconds)) s",
            String(format: "transitions/s: %.0f  (%d transitions, %d with errors)", transitionsPerSecond, transitions, failed),
            String(format: "memory per Lua state: %.1f MB", Double(memoryPerState) / 1_048_576),
            "",
            "hook          calls      p50 µs   p90 µs   p99 µs   max µs   instructions",
        ]
        for hook in hooks {
            let name = hook.hook.padding(toLength: 12, withPad: " ", startingAt: 0)
            let calls = String(hook.calls).leftPadded(9)
            let figures = [hook.p50, hook.p90, hook.p99, hook.max].map { micro($0).leftPadded(8) }.joined(separator: " ")
            let instructions = hook.instructions.map { String(format: "%.0f", $0) } ?? "-"
            lines.append("\(name) \(calls)  \(figures)   \(instructions.leftPadded(12))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: JSONValue {
        var hooksObject = JSONObject()
        for hook in hooks {
            var figures = JSONObject()
            figures["calls"] = .number(JSONNumber(integer: Int64(hook.calls)))
            figures["p50_ns"] = .number(JSONNumber(integer: hook.p50))
            figures["p90_ns"] = .number(JSONNumber(integer: hook.p90))
            figures["p99_ns"] = .number(JSONNumber(integer: hook.p99))
            figures["max_ns"] = .number(JSONNumber(integer: hook.max))
            figures["instructions"] = hook.instructions.map { .number(JSONNumber(double: ($0 * 10).rounded() / 10)) } ?? .null
            hooksObject[hook.hook] = .object(figures)
        }
        var object = JSONObject()
        object["jobs"] = .number(JSONNumber(integer: Int64(jobs)))
        object["items"] = .number(JSONNumber(integer: Int64(postings)))
        object["seconds"] = .number(JSONNumber(double: (seconds * 1000).rounded() / 1000))
        object["transitions"] = .number(JSONNumber(integer: Int64(transitions)))
        object["transitions_with_errors"] = .number(JSONNumber(integer: Int64(failed)))
        object["transitions_per_second"] = .number(JSONNumber(double: transitionsPerSecond.rounded()))
        object["cpu_seconds"] = .number(JSONNumber(double: (cpuSeconds * 1000).rounded() / 1000))
        object["transitions_per_cpu_second"] = .number(JSONNumber(double: (Double(transitions) / max(cpuSeconds, 1e-9)).rounded()))
        object["memory_per_state_bytes"] = .number(JSONNumber(integer: Int64(memoryPerState)))
        object["hooks"] = .object(hooksObject)
        return .object(object)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
