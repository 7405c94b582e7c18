import Foundation

/// A running count on stderr during long runs (evaluate, ingest, replay), only when stderr is a terminal.
struct TerminalProgress {
    let verb: String
    let total: Int?
    private let err: ByteSink
    private let enabled: Bool
    private var lastUpdate = ContinuousClock.now
    private var shown = false

    init(verb: String, total: Int? = nil, err: ByteSink = CommandIO.standard.err) {
        self.verb = verb
        self.total = total
        self.err = err
        enabled = err.isTerminal
    }

    mutating func tick(_ count: Int) {
        guard enabled, count % 128 == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastUpdate > .milliseconds(200) else { return }
        lastUpdate = now
        shown = true
        let of = total.map { " of \($0)" } ?? ""
        err.write("\r\u{1B}[K\(verb) \(count)\(of)…")
    }

    mutating func finish() {
        if shown { err.write("\r\u{1B}[K") }
        shown = false
    }
}
