import Testing
@testable import PostingModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compact summary of decoded items: "P:<posting_number>", "R:<return_id>" or "E:<error>".
func summary(_ items: [InputItem]) -> [String] {
    items.map { item in
        switch item {
        case .posting(let p, _): return "P:\(p.postingNumber)"
        case .returnEvent(let r, _): return "R:\(r.returnID)"
        case .failure(let e): return "E:\(e)"
        }
    }
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "input") throws -> String {
    var template = Array("/tmp/postingmodel-\(name)-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw TestFailure("mkstemp failed") }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { throw TestFailure("write failed") }
        written += n
    }
    close(fd)
    return String(cString: template.map { UInt8(bitPattern: $0) } + [0])
}

@Suite("Input shapes")
struct InputShapeTests {
    @Test func v4List() throws {
        let items = try InputDecoder.decode(text: Fixtures.v4List, file: "v4.json")
        #expect(summary(items) == ["P:61930528-0117-1", "P:0132112277-0102-1"])
        #expect(items.map(\.position) == [
            InputPosition(file: "v4.json", index: 0, line: nil), InputPosition(file: "v4.json", index: 1, line: nil),
        ])
    }

    @Test func v4UnfulfilledListWithCount() throws {
        let text = #"{"count": 1, "cursor": "", "has_next": false, "postings": [\#(Fixtures.ndjsonPosting("1-1"))]}"#
        #expect(summary(try InputDecoder.decode(text: text, file: "u.json")) == ["P:1-1"])
    }

    @Test func v3ListAndGet() throws {
        #expect(summary(try InputDecoder.decode(text: Fixtures.v3List, file: "v3.json")) == ["P:61930528-0117-1"])
        #expect(summary(try InputDecoder.decode(text: Fixtures.v3Get, file: "get.json")) == ["P:61930528-0117-1"])
        let oldList = #"{"result": [\#(Fixtures.ndjsonPosting("1-1")), \#(Fixtures.ndjsonPosting("1-2"))]}"#
        #expect(summary(try InputDecoder.decode(text: oldList, file: "v2.json")) == ["P:1-1", "P:1-2"])
    }

    @Test func barePostingAndArray() throws {
        #expect(summary(try InputDecoder.decode(text: "\n  " + Fixtures.ndjsonPosting("1-1") + "\n\n", file: "one.json")) == ["P:1-1"])
        let pretty = JSONWriter.write(try JSONParser.parse(Fixtures.ndjsonPosting("1-1")), pretty: true)
        #expect(summary(try InputDecoder.decode(text: pretty, file: "one.json")) == ["P:1-1"])
        let array = "[\n" + Fixtures.ndjsonPosting("1-1") + ",\n" + Fixtures.ndjsonPosting("1-2") + "\n]"
        let items = try InputDecoder.decode(text: array, file: "array.json")
        #expect(summary(items) == ["P:1-1", "P:1-2"])
        #expect(items[1].position == InputPosition(file: "array.json", index: 1, line: nil))
    }

    @Test func returnShapes() throws {
        #expect(summary(try InputDecoder.decode(text: Fixtures.fbsReturns, file: "r.json")) == ["R:1000151238"])
        #expect(summary(try InputDecoder.decode(text: Fixtures.rfbsListArray, file: "r.json")) == ["R:6012983"])
        #expect(summary(try InputDecoder.decode(text: Fixtures.rfbsGet, file: "r.json")) == ["R:6012984"])
        // A bare return item, and a mixed array, are recognised per item.
        let bare = JSONWriter.write(try JSONParser.parse(Fixtures.rfbsGet)["returns"]!)
        #expect(summary(try InputDecoder.decode(text: bare, file: "r.json")) == ["R:6012984"])
        let mixed = "[" + bare + "," + Fixtures.ndjsonPosting("1-1") + "]"
        #expect(summary(try InputDecoder.decode(text: mixed, file: "m.json")) == ["R:6012984", "P:1-1"])
    }

    @Test func emptyInputHasNoItems() throws {
        #expect(try InputDecoder.decode(text: "", file: "e.json").isEmpty)
        #expect(try InputDecoder.decode(text: " \n\n\t\n", file: "e.json").isEmpty)
        #expect(try InputDecoder.decode(text: #"{"postings": [], "has_next": false}"#, file: "e.json").isEmpty)
    }

    @Test func ozonErrorBodyIsNamed() throws {
        let items = try InputDecoder.decode(text: #"{"code": 7, "message": "Company is blocked", "details": []}"#, file: "err.json")
        #expect(summary(items) == ["E:err.json: item 0: an Ozon error response, not postings (code 7): Company is blocked"])
    }
}

@Suite("NDJSON")
struct NDJSONTests {
    @Test func onePostingPerLineWithBlankLines() throws {
        let text = [Fixtures.ndjsonPosting("1-1"), "", "   ", Fixtures.ndjsonPosting("1-2"), Fixtures.ndjsonPosting("1-3")].joined(separator: "\n") + "\n"
        let items = try InputDecoder.decode(text: text, file: "p.ndjson")
        #expect(summary(items) == ["P:1-1", "P:1-2", "P:1-3"])
        #expect(items.map(\.position) == [
            InputPosition(file: "p.ndjson", index: 0, line: 1),
            InputPosition(file: "p.ndjson", index: 1, line: 4),
            InputPosition(file: "p.ndjson", index: 2, line: 5),
        ])
    }

    @Test func badLineFailsAloneWithItsLineNumber() throws {
        let text = [
            Fixtures.ndjsonPosting("1-1"),
            #"{"posting_number":"1-2","status":"delivered","products":[{"sku":1,"quantity":1,"price":"1"}]"#,  // truncated
            Fixtures.ndjsonPosting("1-3"),
            #"{"posting_number":"1-4","products":[{"sku":1,"quantity":1,"price":"1"}]}"#,  // no status
            "not json at all",
            Fixtures.ndjsonPosting("1-6"),
        ].joined(separator: "\r\n")
        let items = try InputDecoder.decode(text: text, file: "p.ndjson")
        #expect(summary(items) == [
            "P:1-1",
            "E:p.ndjson:2:94: item 1: invalid JSON: unexpected end of input, expected ',' or '}'",
            "P:1-3",
            "E:p.ndjson:4: item 3 (posting 1-4): missing field 'status'",
            "E:p.ndjson:5:1: item 4: invalid JSON: invalid literal, expected 'null'",
            "P:1-6",
        ])
        guard case .failure(let e) = items[3] else { Issue.record("expected a failure"); return }
        #expect(e.file == "p.ndjson")
        #expect(e.index == 3)
        #expect(e.line == 4)
        #expect(e.field == "status")
        #expect(e.postingNumber == "1-4")
    }

    @Test func firstLineBrokenIsStillNDJSON() throws {
        let text = #"{"posting_number": "1-1", "status": }"# + "\n" + Fixtures.ndjsonPosting("1-2") + "\n"
        #expect(summary(try InputDecoder.decode(text: text, file: "p.ndjson")) == [
            "E:p.ndjson:1:37: item 0: invalid JSON: unexpected character '}', expected a value",
            "P:1-2",
        ])
        let truncatedFirst = #"{"posting_number": "1-1""# + "\n" + Fixtures.ndjsonPosting("1-2")
        #expect(summary(try InputDecoder.decode(text: truncatedFirst, file: "p.ndjson")) == [
            "E:p.ndjson:1:25: item 0: invalid JSON: unexpected end of input, expected ',' or '}'",
            "P:1-2",
        ])
    }

    @Test func lineMayHoldAListOrAReturn() throws {
        let v4Line = JSONWriter.write(try JSONParser.parse(Fixtures.v4List))
        let returnLine = JSONWriter.write(try JSONParser.parse(Fixtures.rfbsGet))
        let text = [v4Line, returnLine, Fixtures.ndjsonPosting("1-1")].joined(separator: "\n")
        let items = try InputDecoder.decode(text: text, file: "mix.ndjson")
        #expect(summary(items) == ["P:61930528-0117-1", "P:0132112277-0102-1", "R:6012984", "P:1-1"])
        #expect(items.map { $0.position?.line } == [1, 1, 2, 3])
        #expect(items.map { $0.position?.index } == [0, 1, 2, 3])
    }

    @Test func brokenDocumentIsAFileError() {
        let text = "{\n  \"postings\": [\n    {\"posting_number\": \"1-1\",}\n  ]\n}\n"
        let error = #expect(throws: InputFileError.self) { try InputDecoder.decode(text: text, file: "bad.json") }
        #expect(error?.description == "bad.json:3:30: invalid JSON: unexpected character '}', expected a string key")
        #expect(error?.line == 3)
        #expect(error?.column == 30)
    }

    @Test func trailingGarbageAfterAMultiLineDocumentIsAFileError() {
        let text = "{\n  \"postings\": []\n}\n}\n"
        let error = #expect(throws: InputFileError.self) { try InputDecoder.decode(text: text, file: "bad.json") }
        #expect(error?.description == "bad.json:4:1: invalid JSON: unexpected character '}' after the JSON value")
    }
}

@Suite("Streaming reader")
struct InputReaderTests {
    @Test func streamsNDJSONAcrossSmallChunks() throws {
        var lines: [String] = []
        for i in 0..<300 {
            lines.append(i == 137 ? "{oops}" : Fixtures.ndjsonPosting("P-\(i)", amount: "\(i).5"))
            if i % 50 == 0 { lines.append("") }
        }
        let text = lines.joined(separator: "\n")  // no final newline
        let path = try temporaryFile(text, name: "stream")
        defer { unlink(path) }
        for chunk in [16, 100, 4096, 1 << 20] {
            let reader = try InputReader(path: path, displayName: "s.ndjson", chunkSize: chunk)
            #expect(reader.format == .ndjson)
            let items = reader.readAll()
            #expect(items.count == 300)
            let expected = try InputDecoder.decode(text: text, file: "s.ndjson")
            #expect(items == expected, "chunk \(chunk)")
            guard case .failure(let e) = items[137] else { Issue.record("expected a failure"); continue }
            #expect(e.index == 137)
            #expect(e.line == 137 + 1 + 3)  // three blank lines before it
            if case .posting(let p, _) = items[299] {
                #expect(p.total == Money(minorUnits: 29_950, currency: "RUB"))
            } else {
                Issue.record("expected the last posting")
            }
        }
    }

    /// Lines handed out undecoded and decoded elsewhere, then numbered in
    /// order, give exactly the items `next()` gives (lines with several
    /// items, returns, broken lines and the first line, decoded by the reader).
    @Test func undecodedLinesNumberedInOrderMatchNext() throws {
        let v4Line = JSONWriter.write(try JSONParser.parse(Fixtures.v4List))
        let returnLine = JSONWriter.write(try JSONParser.parse(Fixtures.rfbsGet))
        let text = [Fixtures.ndjsonPosting("1-1"), v4Line, "{oops}", "", returnLine, v4Line, Fixtures.ndjsonPosting("1-2")]
            .joined(separator: "\n")
        let path = try temporaryFile(text, name: "chunks")
        defer { unlink(path) }
        let expected = try InputReader(path: path, displayName: "c.ndjson").readAll()
        let reader = try InputReader(path: path, displayName: "c.ndjson")
        var items: [InputItem] = []
        while let chunk = reader.nextChunk() {
            switch chunk {
            case .item(let item): items.append(item.renumbered(items.count))
            case .line(let bytes, let number):
                for item in InputDecoder.decodeLine(bytes, number: number, file: reader.file) {
                    items.append(item.renumbered(items.count))
                }
            }
        }
        #expect(items == expected)
        #expect(items.count == 8)
        #expect(summary(items).filter { $0.hasPrefix("E:") }.count == 1)
    }

    @Test func readsDocumentsWhole() throws {
        let path = try temporaryFile(Fixtures.v4List, name: "doc")
        defer { unlink(path) }
        let reader = try InputReader(path: path, displayName: "v4.json", chunkSize: 64)
        #expect(reader.format == .document)
        #expect(summary(reader.readAll()) == ["P:61930528-0117-1", "P:0132112277-0102-1"])
        #expect(summary(try InputDecoder.decode(path: path, displayName: "v4.json")) == ["P:61930528-0117-1", "P:0132112277-0102-1"])
    }

    @Test func singleLineDocumentAndEmptyFile() throws {
        let one = try temporaryFile(JSONWriter.write(try JSONParser.parse(Fixtures.v3List)), name: "one")
        defer { unlink(one) }
        let reader = try InputReader(path: one, displayName: "one.json", chunkSize: 16)
        #expect(reader.format == .document)
        let items = reader.readAll()
        #expect(summary(items) == ["P:61930528-0117-1"])
        #expect(items.first?.position == InputPosition(file: "one.json", index: 0, line: nil))
        let trailingBlankLines = try temporaryFile(Fixtures.ndjsonPosting("1-1") + "\n\n  \n", name: "blank")
        defer { unlink(trailingBlankLines) }
        let single = try InputReader(path: trailingBlankLines, chunkSize: 16)
        #expect(single.format == .document)
        #expect(summary(single.readAll()) == ["P:1-1"])
        let empty = try temporaryFile("\n\n", name: "empty")
        defer { unlink(empty) }
        let emptyReader = try InputReader(path: empty)
        #expect(emptyReader.format == .empty)
        #expect(emptyReader.readAll().isEmpty)
    }

    @Test func missingFileAndBrokenDocumentAreFileErrors() throws {
        let error = #expect(throws: InputFileError.self) { try InputReader(path: "/nonexistent/postings.json") }
        #expect(error?.description == "/nonexistent/postings.json: cannot open: No such file or directory")
        let path = try temporaryFile("[\n  {\"a\": 1\n", name: "broken")
        defer { unlink(path) }
        let broken = #expect(throws: InputFileError.self) { try InputReader(path: path, displayName: "broken.json") }
        #expect(broken?.description == "broken.json:3:1: invalid JSON: unexpected end of input, expected ',' or '}'")
    }

    /// Each line handed out says where it starts, so a regular file's line can be read again
    /// at that offset (the first line too, and across buffer refills).
    @Test func linesKnowTheirOffsetInARegularFile() throws {
        let lines = ["", Fixtures.ndjsonPosting("1-1"), "  ", Fixtures.ndjsonPosting("1-2"), "{oops}", Fixtures.ndjsonPosting("1-3")]
        let text = lines.joined(separator: "\n")
        let path = try temporaryFile(text, name: "offsets")
        defer { unlink(path) }
        let bytes = Array(text.utf8)
        for chunk in [16, 100, 1 << 20] {
            let reader = try InputReader(path: path, chunkSize: chunk)
            #expect(reader.isRegularFile)
            var found: [[UInt8]] = []
            while let next = reader.nextChunk() {
                guard case .line(let line, _) = next else { Issue.record("expected lines only"); continue }
                #expect(Array(bytes[reader.lineOffset..<reader.lineOffset + line.count]) == line, "chunk \(chunk)")
                found.append(line)
            }
            #expect(found.count == 4)
        }
    }

    /// Over a pipe: the reader says so, and calls `beforeWaiting` when nothing is left to read
    /// yet, before it waits for the writer.
    @Test func pipeCallsBeforeWaitingWhenTheWriterPauses() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress!, $0.count) }
        }
        send(Fixtures.ndjsonPosting("1-1") + "\n" + Fixtures.ndjsonPosting("1-2") + "\n")
        let reader = try InputReader(descriptor: ends[0], displayName: "<pipe>")
        #expect(!reader.isRegularFile)
        #expect(reader.format == .ndjson)
        var seenBeforePause: [String] = []
        var items: [InputItem] = []
        reader.beforeWaiting = {
            seenBeforePause = summary(items)
            send(Fixtures.ndjsonPosting("1-3") + "\n")
            close(ends[1])
            reader.beforeWaiting = nil
        }
        while let item = reader.next() { items.append(item) }
        #expect(seenBeforePause == ["P:1-1", "P:1-2"])
        #expect(summary(items) == ["P:1-1", "P:1-2", "P:1-3"])
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let path = try temporaryFile("\u{FEFF}" + Fixtures.ndjsonPosting("1-1") + "\n" + Fixtures.ndjsonPosting("1-2"), name: "bom")
        defer { unlink(path) }
        #expect(summary(try InputReader(path: path).readAll()) == ["P:1-1", "P:1-2"])
        #expect(summary(try InputDecoder.decode(text: "\u{FEFF}" + Fixtures.v3Get, file: "bom.json")) == ["P:61930528-0117-1"])
    }
}

@Suite("Error text")
struct InputErrorTextTests {
    @Test func stableFormats() {
        #expect(InputError(file: "postings.json", index: 3, field: "status", message: "missing field 'status'").description
            == "postings.json: item 3: missing field 'status'")
        #expect(InputError(file: "o.ndjson", index: 16, line: 17, postingNumber: "61930528-0117-1", message: "x").description
            == "o.ndjson:17: item 16 (posting 61930528-0117-1): x")
        #expect(InputError(file: "o.ndjson", index: 4, line: 5, column: 12, message: "invalid JSON: y").description
            == "o.ndjson:5:12: item 4: invalid JSON: y")
        #expect(InputFileError(file: "missing.json", message: "cannot open: No such file or directory").description
            == "missing.json: cannot open: No such file or directory")
        #expect(InputPosition(file: "a.ndjson", index: 2, line: 3).description == "a.ndjson:3: item 2")
    }

    @Test func documentItemErrorsNameIndexAndPosting() throws {
        let text = #"{"postings": [\#(Fixtures.ndjsonPosting("1-1")), {"posting_number": "1-2", "products": []}, {"status": "delivered"}, 7]}"#
        let items = try InputDecoder.decode(text: text, file: "postings.json")
        #expect(summary(items) == [
            "P:1-1",
            "E:postings.json: item 1 (posting 1-2): missing field 'status'",
            "E:postings.json: item 2: missing field 'posting_number'",
            "E:postings.json: item 3: expected a posting object, got number",
        ])
    }
}
