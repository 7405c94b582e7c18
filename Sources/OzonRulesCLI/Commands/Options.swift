import AlertChannels
import ArgumentParser
import Foundation
import LuaKit
import RulesEngine

/// `--rules DIR`, shared by every command that loads rules.
struct RulesOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp(
        "The rules folder (default: the shop's `rules` in the configuration file, else ./rules).", valueName: "DIR"))
    var rulesFlag: String?

    /// The folder: `--rules`, else (set by the shop's settings) the shop's, else `./rules`.
    var rules: String {
        get { rulesFlag ?? "rules" }
        set { rulesFlag = newValue }
    }

    var rulesURL: URL { URL(fileURLWithPath: rules) }
}

/// The three limits every hook call runs under (SPEC §3.4).
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("VM instructions per hook call.", valueName: "N"))
    var instructionLimit: Int64 = 10_000_000

    @Option(name: .long, help: ArgumentHelp("Memory cap of each Lua state, in MB.", valueName: "N"))
    var memoryLimitMb: Int = 64

    @Option(name: .long, help: ArgumentHelp("Wall-clock deadline per hook call, in milliseconds.", valueName: "N"))
    var timeoutMs: Int64 = 1000

    func validate() throws {
        guard instructionLimit > 0 else { throw ValidationError("--instruction-limit must be positive") }
        guard memoryLimitMb > 0 && memoryLimitMb <= 65536 else { throw ValidationError("--memory-limit-mb must be between 1 and 65536") }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
    }

    var limits: LuaLimits {
        LuaLimits(instructionBudget: instructionLimit, memoryLimitBytes: memoryLimitMb << 20, timeoutMilliseconds: timeoutMs)
    }
}

/// One line to the process's stderr, for commands that do not take a `CommandIO` yet.
enum Diagnostics {
    static func write(_ line: String) {
        CommandIO.standard.err.writeLine(line)
    }

    static var stderrIsTerminal: Bool { CommandIO.standard.err.isTerminal }
}

/// `--jobs N`: how many Lua states evaluate in parallel.
struct JobOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Parallel workers, each with its own Lua state (default: one per core). Output order and results do not depend on it.", valueName: "N"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256") }
    }

    var jobCount: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// `--alert FORMAT=URL`: the seller's own alert channels (SPEC §7.3), for every command that
/// plans or sends effects.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("alert"), parsing: .singleValue, help: ArgumentHelp(
        "An alert channel for `alert` actions (repeatable): feishu=URL, dingtalk=URL, wecom=URL, telegram=URL?chat_id=ID, slack=URL or json=URL.",
        valueName: "FORMAT=URL"))
    var alerts: [String] = []

    func validate() throws {
        do {
            _ = try AlertChannel.parse(alerts)
        } catch {
            throw ValidationError("--alert: \(error)")
        }
    }

    /// The channels (validated already).
    var channels: [AlertChannel] { (try? AlertChannel.parse(alerts)) ?? [] }
}
