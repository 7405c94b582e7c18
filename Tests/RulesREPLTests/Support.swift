import Foundation
import PostingModel
import RulesEngine
import RulesREPL
import TestSupport

let exampleRules = Repository.exampleRules
let examplePostings = Repository.examplePostings

/// A session over the example rules, with one of the example inputs loaded.
func exampleSession(postings: String = "fbs-v4-list.json", rules: URL = exampleRules) throws -> REPLSession {
    try REPLSession(options: REPLOptions(
        rules: rules, postingsFile: examplePostings.appendingPathComponent(postings).path,
        now: Timestamp(iso8601: "2026-05-20T12:00:00Z")!))
}

extension REPLSession {
    /// Submits each line; the reply to the last one.
    @discardableResult
    func type(_ lines: String...) -> REPLReply {
        var reply = REPLReply()
        for line in lines { reply = submit(line) }
        return reply
    }
}

/// A copy of a folder in a temporary place, removed when the value dies.
final class TemporaryCopy {
    let url: URL
    init(of folder: URL) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-repl-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: folder, to: url)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
