import LuaKit

/// `:trace on`: the rule lines (hooks and `lib/`) one input executes, in
/// order, with their source text. Repeats of a line in a row are counted, not
/// listed; at most `limit` lines are shown.
final class TraceRecorder {
    var enabled = false
    let limit = 200
    private var state: LuaState?
    private var sources: [String: [Substring]] = [:]
    private var events: [(file: String, line: Int, count: Int)] = []
    private var total = 0

    func attach(to lua: REPLLua) {
        state = lua.state
        var sources: [String: [Substring]] = [:]
        let folder = lua.engine.folder
        for (hook, source) in folder.hookSources { sources[hook.fileName] = source.split(separator: "\n", omittingEmptySubsequences: false) }
        for (path, source) in folder.libSources { sources[path] = source.split(separator: "\n", omittingEmptySubsequences: false) }
        self.sources = sources
    }

    func start() {
        events.removeAll()
        total = 0
        guard enabled, let state else { return }
        state.observeLines { [weak self] file, line in self?.record(file, line) }
    }

    private func record(_ file: String, _ line: Int) {
        guard sources[file] != nil else { return }
        if let last = events.last, last.file == file, last.line == line {
            events[events.count - 1].count += 1
            return
        }
        total += 1
        if events.count < limit { events.append((file, line, 1)) }
    }

    /// Stops recording; the trace as lines to print (empty when off or nothing ran).
    func finish() -> [String] {
        guard enabled else { return [] }
        state?.observeLines(nil)
        guard !events.isEmpty else { return [] }
        let width = events.map { "\($0.file):\($0.line)".count }.max() ?? 0
        var lines = ["trace:"]
        for event in events {
            let location = "\(event.file):\(event.line)"
            let text = sources[event.file].flatMap { event.line <= $0.count ? $0[event.line - 1] : nil } ?? ""
            let repeats = event.count > 1 ? "  (x\(event.count))" : ""
            lines.append("  " + location + String(repeating: " ", count: width - location.count) + "  "
                + text.trimmingCharacters(in: .whitespaces) + repeats)
        }
        if total > events.count { lines.append("  ... \(total - events.count) more line(s)") }
        events.removeAll()
        return lines
    }
}
