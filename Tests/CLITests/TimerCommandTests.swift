import ExternalPrograms
import Foundation
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// `tick`, `timers` and timer firings in `log` and `replay`, on real store files; the built binary
/// where processes are the point (two at once, SIGKILL).
@Suite("Timers")
struct TimerCommandTests {
    static let rules = StoreCLI.exampleRules.path
    /// Posting 0158823410-0077-1 (v3 list) is awaiting_packaging with shipment_date 2026-05-21T09:00:00Z.
    static let posting = "0158823410-0077-1"
    static let warningDue = "2026-05-21T05:00:00Z"
    static let urgentDue = "2026-05-21T08:00:00Z"

    static func tick(_ db: String, at now: String, rules: String = rules, extra: [String] = []) async throws -> BinaryRunner.Result {
        try await StoreCLI.run(["tick", "--db", db, "--rules", rules, "--now", now] + extra)
    }

    /// The timers that fired, as `tick` prints them: `posting<TAB>name`.
    static func fired(_ result: BinaryRunner.Result) -> [String] {
        result.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: "\t") }
    }

    @Test("tick just before and just after each due time fires exactly the timers due, once")
    func tickFiresWhatIsDue() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let armed = try StoreCLI.json(try await StoreCLI.run(["timers", Self.posting, "--db", folder.db, "--format", "json"]).stdout)
        #expect(armed.arrayValue?.map { "\($0["name"]?.stringValue ?? "") \($0["due"]?.stringValue ?? "")" }
                == ["pack_warning \(Self.warningDue)", "pack_urgent \(Self.urgentDue)"])

        let early = try await Self.tick(folder.db, at: "2026-05-21T04:59:59Z")
        #expect(early.exitCode == 0, "\(early.stderr)")
        #expect(!Self.fired(early).contains { $0.hasPrefix(Self.posting) })
        let warning = try await Self.tick(folder.db, at: Self.warningDue)
        #expect(Self.fired(warning).filter { $0.hasPrefix(Self.posting) } == ["\(Self.posting)\tpack_warning"])
        let again = try await Self.tick(folder.db, at: "2026-05-21T07:59:59Z")
        #expect(!Self.fired(again).contains { $0.hasPrefix(Self.posting) }, "ticking again fired \(again.stdout)")
        let urgent = try await Self.tick(folder.db, at: Self.urgentDue)
        #expect(Self.fired(urgent).filter { $0.hasPrefix(Self.posting) } == ["\(Self.posting)\tpack_urgent"])

        let states = try StoreCLI.json(try await StoreCLI.run([
            "timers", Self.posting, "--db", folder.db, "--state", "fired", "--state", "armed", "--format", "json",
        ]).stdout)
        #expect(states.arrayValue?.map { $0["state"]?.stringValue } == ["fired", "fired"])

        // log shows each firing after the transition, with its run's decision.
        let log = try await StoreCLI.run(["log", Self.posting, "--db", folder.db])
        #expect(log.stdout.contains("timers:pack_warning:at") && log.stdout.contains("due \(Self.warningDue)"))
        let lines = log.stdout.split(separator: "\n")
        let firingLine = try #require(lines.first { $0.contains("timer pack_urgent") })
        #expect(firingLine.hasPrefix(Self.urgentDue) && firingLine.contains("tick") && firingLine.contains("timers:pack_urgent")
                && firingLine.hasSuffix("alert"))
        let json = try StoreCLI.json(try await StoreCLI.run(["log", Self.posting, "--db", folder.db, "--format", "json"]).stdout)
        let timerEntries = json.arrayValue?.filter { $0["kind"]?.stringValue == "timer" } ?? []
        #expect(timerEntries.map { $0["name"]?.stringValue } == ["pack_warning", "pack_urgent"])
        #expect(timerEntries.first?["hook_runs"]?[0]?["decision"]?[0]?["text"]?.stringValue
                == "Не упаковано: \(Self.posting), до срока отгрузки 2026-05-21T09:00:00Z осталось 4 ч.")
    }

    @Test("a posting that moved on never fires the timers of the status it left")
    func movedOnNeverFires() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let moved = try await StoreCLI.run([
            "transition", Self.posting, "--to", "awaiting_deliver", "--rules", Self.rules, "--db", folder.db, "--now", "2026-05-21T01:00:00Z",
        ])
        #expect(moved.exitCode == 0, "\(moved.stderr)")
        let tick = try await Self.tick(folder.db, at: "2026-05-22T00:00:00Z")
        #expect(tick.exitCode == 0, "\(tick.stderr)")
        #expect(!Self.fired(tick).contains { $0.hasPrefix(Self.posting) })
        let cancelled = try StoreCLI.json(try await StoreCLI.run([
            "timers", Self.posting, "--db", folder.db, "--state", "cancelled", "--format", "json",
        ]).stdout)
        #expect(cancelled.arrayValue?.map { $0["name"]?.stringValue } == ["pack_warning", "pack_urgent"])
        #expect(cancelled.arrayValue?.first?["ended_at"]?.stringValue == "2026-05-21T01:00:00Z")
    }

    @Test("timers lists what is due before a time; replay re-runs firings and reports changed ones")
    func timersAndReplay() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let dueSoon = try await StoreCLI.run(["timers", Self.posting, "--db", folder.db, "--due-before", "2026-05-21T06:00:00Z"])
        #expect(dueSoon.stdout.hasPrefix("POSTING") && dueSoon.stdout.contains("pack_warning") && !dueSoon.stdout.contains("pack_urgent"))
        let bad = try await StoreCLI.run(["timers", "--db", folder.db, "--due-before", "tomorrow"])
        #expect(bad.exitCode == 2 && bad.stderr.contains("--due-before must be a UTC ISO 8601 time"))
        #expect(try await Self.tick(folder.db, at: Self.urgentDue).exitCode == 0)

        // The same rules: nothing changes, and the firings are counted.
        let same = try StoreCLI.json(try await StoreCLI.run([
            "replay", "--db", folder.db, "--rules", Self.rules, "--format", "json",
        ]).stdout)
        #expect((same["timer_firings"]?.int64Value ?? 0) >= 2)
        #expect(same["hooks"]?.arrayValue?.first { $0["hook"]?.stringValue == "timers:pack_warning" }?["changed"]?.int64Value == 0)

        // The warning re-worded and sent 6 h before: replay reports both the new due time and the new text.
        let edited = folder.url.appendingPathComponent("rules-next")
        try FileManager.default.copyItem(at: StoreCLI.exampleRules, to: edited)
        let timers = edited.appendingPathComponent("timers.lua")
        var text = try String(contentsOf: timers, encoding: .utf8)
        text = text.replacingOccurrences(of: "at = before_deadline(4),", with: "at = before_deadline(6),")
        text = text.replacingOccurrences(of: "run = not_packed(\"warning\", 4),", with: "run = not_packed(\"warning\", 6),")
        try Data(text.utf8).write(to: timers)
        let changed = try StoreCLI.json(try await StoreCLI.run([
            "replay", "--db", folder.db, "--rules", edited.path, "--format", "json",
        ]).stdout)
        let hooks = changed["hooks"]?.arrayValue ?? []
        func changes(_ hook: String) -> Int64? { hooks.first { $0["hook"]?.stringValue == hook }?["changed"]?.int64Value }
        #expect(changes("timers:pack_warning") ?? 0 >= 1)
        #expect(changes("timers:pack_warning:at") ?? 0 >= 1)
        #expect(changes("timers:pack_urgent") == 0)
        let table = try await StoreCLI.run(["replay", "--db", folder.db, "--rules", edited.path])
        #expect(table.stdout.contains("timer firings") && table.stdout.contains("timers:pack_warning"))
    }

    // MARK: Processes

    /// A store of `count` postings in awaiting_packaging, each with one timer due at `due`.
    static func storeWithDueTimers(_ folder: StoreTestFolder, count: Int) async throws -> (rules: String, db: String) {
        let rules = folder.url.appendingPathComponent("timer-rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try Data("""
            return {
              { name = "ping", status = "awaiting_packaging",
                at = function(posting, ctx) return ctx.entered_at + 60 end,
                run = function(posting, ctx)
                  -- Some work per firing, so the tick is still running when it is killed.
                  local n = 0
                  for i = 1, 50000 do n = n + i end
                  return { { action = "alert", level = "info", text = "timer for " .. posting.posting_number } }
                end },
            }
            """.utf8).write(to: rules.appendingPathComponent("timers.lua"))
        let lines = (0..<count).map { storeTestPosting("9\($0)-0001-1", status: "awaiting_packaging") }.joined(separator: "\n")
        let input = try folder.write("postings.ndjson", lines + "\n")
        let ingest = try await BinaryRunner.run(["ingest", "--db", folder.db, "--rules", rules.path, "--now", "2026-05-20T12:00:00Z", input])
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        return (rules.path, folder.db)
    }

    /// Every timer fired exactly once, and planned its one alert effect once.
    static func expectEachFiredOnce(_ db: String, count: Int) async throws {
        let store = try SQLitePostingStore(path: db)
        let fired = try await store.timers(TimerQuery(states: [.fired]))
        #expect(fired.count == count)
        #expect(try await store.timers(TimerQuery(states: [.armed, .cancelled])).isEmpty)
        let firings = try await store.timerFirings(postingNumber: nil, since: nil)
        #expect(firings.count == count)
        #expect(Set(firings.map(\.postingNumber)).count == count)
        #expect(firings.allSatisfy { $0.hookRuns.map(\.hook) == ["timers:ping"] && $0.hookRuns[0].error == nil })
        let alerts = try await store.effects(EffectQuery(kinds: [.alert]))
        #expect(alerts.count == count)
        #expect(Set(alerts.compactMap(\.postingNumber)).count == count)
    }

    @Test("two processes ticking at once fire each timer once")
    func twoProcessesFireOnce() async throws {
        let folder = try StoreTestFolder()
        let count = 2000
        let (rules, db) = try await Self.storeWithDueTimers(folder, count: count)
        let arguments = ["tick", "--db", db, "--rules", rules, "--now", "2026-05-20T13:00:00Z", "--alert", "json=http://127.0.0.1:9/alerts"]
        async let first = Task.detached { try await BinaryRunner.run(arguments) }.value
        async let second = Task.detached { try await BinaryRunner.run(arguments) }.value
        let (a, b) = try await (first, second)
        #expect(a.exitCode == 0 && b.exitCode == 0, "\(a.stderr) \(b.stderr)")
        let lines = Self.fired(a) + Self.fired(b)
        #expect(lines.count == count)
        #expect(Set(lines).count == count)
        try await Self.expectEachFiredOnce(db, count: count)
        // Nothing is left to fire.
        let third = try await BinaryRunner.run(arguments)
        #expect(Self.fired(third).isEmpty)
    }

    @Test("a tick of 10,000 due timers SIGKILLed half-way loses none and fires none twice after a restart")
    func killedTickLosesNothing() async throws {
        let folder = try StoreTestFolder()
        let count = 10_000
        let (rules, db) = try await Self.storeWithDueTimers(folder, count: count)
        let now = "2026-05-20T13:00:00Z"
        // Claims of the killed tick lapse after 1 s; the restart ticks 2 s later.
        let base = ["tick", "--db", db, "--rules", rules, "--lease", "1", "--alert", "json=http://127.0.0.1:9/alerts"]
        let process = Process()
        process.executableURL = try BinaryRunner.binary
        process.arguments = base + ["--now", now]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A watcher process of its own kills the tick once it has fired some but not all: it runs
        // whatever else keeps this test process busy.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: "/bin/sh")
        watcher.arguments = ["-c", """
            for i in $(seq 1 3000); do
              n=$(sqlite3 "$1" "SELECT count(*) FROM timers WHERE state = 'fired'" 2>/dev/null || echo 0)
              if [ "${n:-0}" -ge 100 ]; then kill -9 "$2"; exit 0; fi
              kill -0 "$2" 2>/dev/null || exit 1
              sleep 0.02
            done
            exit 1
            """, "watch", db, "\(process.processIdentifier)"]
        try watcher.run()
        await ProgramRunner.waitUntilExit(process)
        await ProgramRunner.waitUntilExit(watcher)
        let store = try SQLitePostingStore(path: db)
        #expect(process.terminationReason == .uncaughtSignal, "the tick ended before it was killed")
        let afterKill = try await store.timers(TimerQuery(states: [.fired])).count
        #expect(afterKill > 0 && afterKill < count, "killed with \(afterKill) of \(count) fired")

        let restart = try await BinaryRunner.run(base + ["--now", "2026-05-20T13:00:02Z"])
        #expect(restart.exitCode == 0, "\(restart.stderr)")
        #expect(Self.fired(restart).count == count - afterKill)
        try await Self.expectEachFiredOnce(db, count: count)
    }
}
