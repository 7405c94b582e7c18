import Foundation

/// A running count on stderr during long runs (evaluate, ingest, replay), only when stderr is a terminal.
struct TerminalProgress {
    let verb: String
    let total: Int?
    private let enabled = Diagnostics.stderrIsTerminal
    private var lastUpdate = ContinuousClock.now
    private var shown = false

    init(verb: String, total: Int? = nil) {
        self.verb = verb
        self.total = total
    }

    mutating func tick(_ count: Int) {
        guard enabled, count % 128 == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastUpdate > .milliseconds(200) else { return }
        lastUpdate = now
        shown = true
        let of = total.map { " of \($0)" } ?? ""
        FileHandle.standardError.write(Data("\r\u{1B}[K\(verb) \(count)\(of)…".utf8))
    }

    mutating func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
