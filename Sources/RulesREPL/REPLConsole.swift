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

    /// Runs the session until `:quit` or end of input, answering through `output`; returns
    /// the exit code.
    public static func run(_ session: REPLSession, historyFile: String?, output: REPLOutput = .standard) -> Int32 {
        isatty(0) != 0 ? interactive(session, historyFile: historyFile, output) : piped(session, output)
    }

    /// `~/.ozon_rules_history`, or `$OZON_RULES_HISTORY` when set (empty: no history).
    public static var defaultHistoryFile: String? {
        let environment = ProcessInfo.processInfo.environment
        if let file = environment["OZON_RULES_HISTORY"] { return file.isEmpty ? nil : file }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.ozon_rules_history"
    }

    private static func interactive(_ session: REPLSession, historyFile: String?, _ output: REPLOutput) -> Int32 {
        let editor = LineEditor(historyFile: historyFile) { [weak session] word in session?.completions(for: word) ?? [] }
        defer { editor.save() }
        output.out(session.banner + "\n")
        for warning in session.warnings { output.err("warning: \(warning)\n") }
        while true {
            guard let line = editor.readLine(prompt: session.isContinuing ? continuationPrompt : prompt) else {
                output.out("\n")
                return 0
            }
            editor.remember(line)
            let reply = session.submit(line)
            show(reply, output)
            if reply.quit { return 0 }
        }
    }

    private static func piped(_ session: REPLSession, _ output: REPLOutput) -> Int32 {
        var failed = false
        for warning in session.warnings { output.err("warning: \(warning)\n") }
        while let line = Swift.readLine(strippingNewline: true) {
            let reply = session.submit(line)
            show(reply, output)
            if !reply.errors.isEmpty { failed = true }
            if reply.quit { return failed ? 1 : 0 }
        }
        if session.isContinuing {
            output.err("stdin: unfinished chunk at the end of the input\n")
            return 1
        }
        return failed ? 1 : 0
    }

    private static func show(_ reply: REPLReply, _ output: REPLOutput) {
        if !reply.output.isEmpty { output.out(reply.output) }
        if !reply.errors.isEmpty { output.err(reply.errors) }
    }
}

/// Where the console writes answers (`out`) and errors and warnings (`err`).
public struct REPLOutput {
    public var out: (String) -> Void
    public var err: (String) -> Void

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's stdout and stderr.
    public static var standard: REPLOutput {
        REPLOutput(out: { FileHandle.standardOutput.write(Data($0.utf8)) }, err: { FileHandle.standardError.write(Data($0.utf8)) })
    }
}
