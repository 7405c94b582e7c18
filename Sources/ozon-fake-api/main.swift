// A fake Ozon Seller API as a process, for scripts that drive `ozon-rules serve` from outside
// (load and crash tests). Not part of the product.
//
//   ozon-fake-api [--port N] [--client-id ID] [--api-key KEY] [--any-posting FILE]
//
// --any-posting answers every posting number it does not know with the posting in FILE (a v3
// get `result` object) under that number. Prints "listening on 127.0.0.1:PORT" to stderr and
// runs until SIGTERM or SIGINT.
import FakeOzonAPI
import Foundation
import JSON
import UnixSignals

var arguments = CommandLine.arguments.dropFirst()
var port = 0, clientID = "100500", apiKey = "test-api-key"
var template: String?
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("ozon-fake-api: \(flag) needs a value\n".utf8))
        exit(2)
    }
    switch flag {
    case "--port": port = Int(value) ?? 0
    case "--client-id": clientID = value
    case "--api-key": apiKey = value
    case "--any-posting": template = value
    default:
        FileHandle.standardError.write(Data("ozon-fake-api: unknown option \(flag)\n".utf8))
        exit(2)
    }
}

let fake = FakeOzonAPI(clientID: clientID, apiKey: apiKey)
if let template {
    guard let data = FileManager.default.contents(atPath: template), let posting = try? JSONParser.parse(Array(data)) else {
        FileHandle.standardError.write(Data("ozon-fake-api: cannot read a posting from \(template)\n".utf8))
        exit(2)
    }
    fake.answerAnyPosting(with: posting)
}
try await fake.start(port: port)
FileHandle.standardError.write(Data("listening on 127.0.0.1:\(fake.port)\n".utf8))
for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
await fake.stop()
