// A fake Ozon Seller API as a process, for scripts that drive `ozon-rules serve` from outside
// (load and crash tests). Not part of the product.
//
//   ozon-fake-api [--port N] [--client-id ID] [--api-key KEY] [--any-posting FILE]
//                 [--postings FILE] [--return-requests FILE] [--cancellation-requests FILE]
//                 [--drop-after-applying PATH[:TIMES]]... [--label-polls N] [--chats-need-premium]
//                 [--rfbs-list-as-object]
//
// --any-posting answers every posting number it does not know with the posting in FILE (a v3
// get `result` object) under that number.
// --postings seeds postings: a JSON array, `{"postings": [...]}` or `{"result": {"postings": [...]}}`.
// --return-requests seeds rFBS return requests: an array or `{"returns": [...]}` (each with
// `return_id`, `posting_number`, `product`, `available_actions`, `rejection_reason`, `state`).
// --cancellation-requests seeds buyer cancellation requests: an array or `{"result": [...]}`.
// --drop-after-applying PATH[:TIMES] closes the connection of the next TIMES (default 1) calls
// to PATH after they took effect (repeatable).
//
// Admin endpoints: `GET /fake/state` (postings, return and cancellation requests, chats, label
// jobs) and `GET /fake/calls` (every side effect applied, with counts per path).
//
// Prints "listening on 127.0.0.1:PORT" to stderr and runs until SIGTERM or SIGINT.
import FakeOzonAPI
import Foundation
import JSON
import UnixSignals

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ozon-fake-api: \(message)\n".utf8))
    exit(2)
}

func readJSON(_ path: String) -> JSONValue {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    do {
        return try JSONParser.parse(Array(data))
    } catch {
        fail("\(path) is not JSON: \(error)")
    }
}

/// The items of a seed file: an array, or the array under one of `keys` (a path of keys).
func items(_ value: JSONValue, under keys: [[String]]) -> [JSONValue] {
    if case .array(let list) = value { return list }
    for path in keys {
        var current: JSONValue? = value
        for key in path { current = current?[key] }
        if case .array(let list)? = current { return list }
        if case .object? = current { return [current!] }
    }
    return [value]
}

var arguments = CommandLine.arguments.dropFirst()
var port = 0, clientID = "100500", apiKey = "test-api-key"
var template: String?
var postingFiles: [String] = [], returnFiles: [String] = [], cancellationFiles: [String] = []
var drops: [(String, Int)] = []
var labelPolls: Int?
var chatsNeedPremium = false, listAsObject = false
while let flag = arguments.popFirst() {
    switch flag {
    case "--chats-need-premium": chatsNeedPremium = true; continue
    case "--rfbs-list-as-object": listAsObject = true; continue
    default: break
    }
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--port": port = Int(value) ?? 0
    case "--client-id": clientID = value
    case "--api-key": apiKey = value
    case "--any-posting": template = value
    case "--postings": postingFiles.append(value)
    case "--return-requests": returnFiles.append(value)
    case "--cancellation-requests": cancellationFiles.append(value)
    case "--label-polls": labelPolls = Int(value) ?? 1
    case "--drop-after-applying":
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts[0].hasPrefix("/") else { fail("--drop-after-applying needs a path such as /v4/posting/fbs/ship:2") }
        drops.append((parts[0], parts.count > 1 ? Int(parts[1]) ?? 1 : 1))
    default: fail("unknown option \(flag)")
    }
}

let fake = FakeOzonAPI(clientID: clientID, apiKey: apiKey)
if let template {
    fake.answerAnyPosting(with: readJSON(template))
}
for file in postingFiles {
    for posting in items(readJSON(file), under: [["postings"], ["result", "postings"], ["result"]]) { fake.put(posting: posting) }
}
for file in returnFiles {
    for request in items(readJSON(file), under: [["returns"]]) { fake.put(rfbsReturnRequest: request) }
}
for file in cancellationFiles {
    for request in items(readJSON(file), under: [["result"]]) { fake.put(cancellationRequest: request) }
}
for (path, times) in drops { fake.dropConnectionAfterApplying(path, times: times) }
fake.configure { fake in
    if let labelPolls { fake.labelPollsBeforeReady = labelPolls }
    fake.chatsNeedPremium = chatsNeedPremium
    fake.rfbsListReturnsAsObject = listAsObject
}
try await fake.start(port: port)
FileHandle.standardError.write(Data("listening on 127.0.0.1:\(fake.port)\n".utf8))
for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
await fake.stop()
