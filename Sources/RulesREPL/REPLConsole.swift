import Foundation

/// Connects a session to the process's standard streams.
///
/// On a terminal: a banner, the prompts `ozon> ` and `  >> ` (continuation),
/// libedit line editing, history in `historyFile`, tab completion. Otherwise
/// (a pipe or a file): lines are read and answered without banner or prompts,
/// and the exit code says whether any input failed.
public enum REPLConsole {
    public static let prompt = "ozon> "
    public static let continuationPrompt = "  >> "

    /// Runs the session until `:quit` or end of input; returns the exit code.
    public static func run(_ session: REPLSession, historyFile: String?) -> Int32 {
        isatty(0) != 0 ? interactive(session, historyFile: historyFile) : piped(session)
    }

    /// `~/.ozon_rules_history`, or `$OZON_RULES_HISTORY` when set (empty: no history).
    public static var defaultHistoryFile: String? {
        let environment = ProcessInfo.processInfo.environment
        if let file = environment["OZON_RULES_HISTORY"] { return file.isEmpty ? nil : file }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.ozon_rules_history"
    }

    private static func interactive(_ session: REPLSession, historyFile: String?) -> Int32 {
        let editor = LineEditor(historyFile: historyFile) { [weak session] word in session?.completions(for: word) ?? [] }
        defer { editor.save() }
        write(session.banner + "\n", to: .standardOutput)
        for warning in session.warnings { write("warning: \(warning)\n", to: .standardError) }
        while true {
            guard let line = editor.readLine(prompt: session.isContinuing ? continuationPrompt : prompt) else {
                write("\n", to: .standardOutput)
                return 0
            }
            editor.remember(line)
            let reply = session.submit(line)
            show(reply)
            if reply.quit { return 0 }
        }
    }

    private static func piped(_ session: REPLSession) -> Int32 {
        var failed = false
        for warning in session.warnings { write("warning: \(warning)\n", to: .standardError) }
        while let line = Swift.readLine(strippingNewline: true) {
            let reply = session.submit(line)
            show(reply)
            if !reply.errors.isEmpty { failed = true }
            if reply.quit { return failed ? 1 : 0 }
        }
        if session.isContinuing {
            write("stdin: unfinished chunk at the end of the input\n", to: .standardError)
            return 1
        }
        return failed ? 1 : 0
    }

    private static func show(_ reply: REPLReply) {
        if !reply.output.isEmpty { write(reply.output, to: .standardOutput) }
        if !reply.errors.isEmpty { write(reply.errors, to: .standardError) }
    }

    private static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}
