import CEditLine
import Foundation

/// Line editing, history and tab completion through BSD libedit's readline
/// interface: the thin terminal layer of the REPL.
///
/// libedit keeps one global editor per process and calls completion through
/// a C function pointer, so the completer lives in a static slot; use one
/// `LineEditor` at a time, from one thread.
final class LineEditor {
    private let historyFile: String?

    /// `complete(word)` returns the full replacements for the word before the cursor.
    init(historyFile: String?, complete: @escaping (String) -> [String]) {
        self.historyFile = historyFile
        LineEditor.completer = complete
        LineEditor.useUTF8()
        _ = rl_initialize()
        using_history()
        stifle_history(2000)
        if let historyFile { _ = read_history(historyFile) }
        // Dots and colons stay inside the word, so `posting.prod<TAB>` and `:ev<TAB>` complete.
        ozr_editline_configure(LineEditor.name, LineEditor.wordBreaks) { text, _, _ in
            ozr_editline_completion_over()
            guard let text else { return nil }
            return rl_completion_matches(text) { text, state in
                if state == 0 {
                    LineEditor.matches = text.map { LineEditor.completer?(String(cString: $0)) ?? [] } ?? []
                    LineEditor.next = 0
                }
                guard LineEditor.next < LineEditor.matches.count else { return nil }
                defer { LineEditor.next += 1 }
                return strdup(LineEditor.matches[LineEditor.next])
            }
        }
    }

    /// libedit reads multibyte characters (Cyrillic city names) only in a
    /// UTF-8 locale: the user's if it is one, else C.UTF-8.
    private static func useUTF8() {
        setlocale(LC_CTYPE, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { setlocale(LC_CTYPE, "en_US.UTF-8") }
    }

    /// One line, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        _ = add_history(line)
    }

    /// Writes the history file (the last 2000 entries).
    func save() {
        guard let historyFile else { return }
        _ = write_history(historyFile)
    }

    nonisolated(unsafe) private static var completer: ((String) -> [String])?
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var next = 0
    nonisolated(unsafe) private static let name: UnsafePointer<CChar> = UnsafePointer(strdup("ozon-rules")!)
    nonisolated(unsafe) private static let wordBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"'`@$><=;|&{(,)[]+-*/%^#~")!
}
