/// Where an item came from.
public struct InputPosition: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (`<stdin>` for standard input).
    public var file: String
    /// 0-based position of the item among all items of its file.
    public var index: Int
    /// 1-based line for NDJSON input; `nil` for a JSON document.
    public var line: Int?

    /// A position from its parts.
    public init(file: String, index: Int, line: Int?) {
        self.file = file
        self.index = index
        self.line = line
    }

    /// `postings.ndjson:17: item 16` or `postings.json: item 3`.
    public var description: String {
        (line.map { "\(file):\($0)" } ?? file) + ": item \(index)"
    }
}

/// One item that could not be decoded; the other items of the file are unaffected.
///
/// `description` is stable, one line, in the form
/// `FILE[:LINE[:COLUMN]]: item INDEX[ (posting NUMBER)]: MESSAGE`, for example
/// `postings.json: item 3: missing field 'status'` or
/// `orders.ndjson:17: item 16 (posting 61930528-0117-1): field 'products[0].price': not a decimal amount: "12,50"`.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 0-based item position in the file, when known.
    public var index: Int?
    /// 1-based NDJSON line.
    public var line: Int?
    /// 1-based column of a syntax error in an NDJSON line.
    public var column: Int?
    /// The posting number, when it could be read.
    public var postingNumber: String?
    /// The field at fault (`status`, `products[0].sku`), when one is.
    public var field: String?
    /// What is wrong, e.g. `missing field 'status'`.
    public var message: String

    /// An item error from its parts.
    public init(
        file: String, index: Int?, line: Int? = nil, column: Int? = nil, postingNumber: String? = nil,
        field: String? = nil, message: String
    ) {
        self.file = file
        self.index = index
        self.line = line
        self.column = column
        self.postingNumber = postingNumber
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        s += ": "
        if let index {
            s += "item \(index)"
            if let postingNumber { s += " (posting \(postingNumber))" }
            s += ": "
        } else if let postingNumber {
            s += "posting \(postingNumber): "
        }
        return s + message
    }
}

/// Input that cannot be read at all: a missing file, or JSON that does not parse as a document
/// or as NDJSON. `description`: `postings.json:3:14: invalid JSON: expected ':' after an object key`,
/// `missing.json: cannot open: No such file or directory`.
public struct InputFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it; `line`/`column` locate a syntax error, `message` says what is wrong.
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    /// A file error from its parts.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        return s + ": " + message
    }
}

/// One decoded input item, in file order.
public enum InputItem: Sendable, Hashable {
    case posting(Posting, position: InputPosition)
    case returnEvent(ReturnEvent, position: InputPosition)
    case failure(InputError)

    /// The position of a decoded item (`nil` for a failure; see its error).
    public var position: InputPosition? {
        switch self {
        case .posting(_, let p), .returnEvent(_, let p): return p
        case .failure: return nil
        }
    }
}

extension InputItem {
    /// The same item at another position in its file (for items decoded
    /// apart from their file's reader, then numbered in file order).
    public func renumbered(_ index: Int) -> InputItem {
        switch self {
        case .posting(let posting, var position):
            position.index = index
            return .posting(posting, position: position)
        case .returnEvent(let event, var position):
            position.index = index
            return .returnEvent(event, position: position)
        case .failure(let error):
            return .failure(error.renumbered(index))
        }
    }
}

extension InputError {
    /// The same error for an item at another position (an error that names
    /// no item stays so).
    public func renumbered(_ index: Int) -> InputError {
        var error = self
        if error.index != nil { error.index = index }
        return error
    }
}

extension InputDecoder {
    /// Decodes one NDJSON line handed out by `InputReader.nextChunk()`.
    /// Its items are numbered from 0: renumber them in file order.
    public static func decodeLine(_ line: [UInt8], number: Int, file: String) -> [InputItem] {
        var sink = ItemSink(file: file, nextIndex: 0)
        line.withUnsafeBufferPointer { decodeLine($0, number: number, into: &sink) }
        return sink.items
    }
}

/// How a file was laid out.
public enum InputFormat: String, Sendable, Hashable {
    /// One JSON document (a list response, a single posting, an array, ...).
    case document
    /// One JSON value per line.
    case ndjson
    /// Nothing but whitespace.
    case empty
}

/// Decodes every input shape of SPEC §2, detecting the shape (never asking):
///
/// - v4 list / unfulfilled `{"postings":[...],"cursor":...,"has_next":...(,"count":...)}`;
/// - v3 list `{"result":{"postings":[...]}}`, v3 get `{"result":{...}}`, an old `{"result":[...]}`;
/// - a bare posting object, a JSON array of postings (or of returns);
/// - FBS returns `{"returns":[...],"has_next":...}`, rFBS list `{"returns":[...]}` or
///   `{"returns":{...}}`, rFBS get `{"returns":{...}}`; a bare return item;
/// - NDJSON: one value per line, each decoded by the same rules (so a line may hold a whole v4 list
///   or a return); blank lines are skipped; a line that does not parse fails alone, with its line
///   and column.
///
/// NDJSON is recognised when the first non-blank line is a complete JSON value on its own (and
/// another non-blank line follows; a single line is a one-line document), or looks
/// like a one-line object (`{...}`), or when the document does not parse but its second non-blank
/// line is a complete object. Anything else is read as one document; if that does not parse, the
/// whole file is an `InputFileError` with the line and column.
public enum InputDecoder {
    /// Decodes a whole file held in memory. `file` names it in positions and errors.
    public static func decode(bytes: [UInt8], file: String) throws(InputFileError) -> [InputItem] {
        let result: Result<[InputItem], InputFileError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(InputFileError) {
                return .success(try decode(buffer, file: file).items)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes a string (tests and small inputs).
    public static func decode(text: String, file: String) throws(InputFileError) -> [InputItem] {
        try decode(bytes: Array(text.utf8), file: file)
    }

    /// Reads and decodes a file (`-` for standard input), streaming NDJSON.
    public static func decode(path: String, displayName: String? = nil) throws(InputFileError) -> [InputItem] {
        let reader = try InputReader(path: path, displayName: displayName)
        return Array(reader)
    }

    /// The items of one already-parsed JSON value (a document or one NDJSON line).
    public static func items(from value: JSONValue, file: String, firstIndex: Int = 0, line: Int? = nil) -> [InputItem] {
        var sink = ItemSink(file: file, nextIndex: firstIndex)
        sink.add(value, line: line)
        return sink.items
    }

    /// Decodes a buffer and reports the format found.
    static func decode(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws(InputFileError) -> (items: [InputItem], format: InputFormat) {
        var sink = ItemSink(file: file, nextIndex: 0)
        let start = hasBOM(buffer) ? 3 : 0
        var lines = LineCursor(buffer: buffer, position: start, lineNumber: 0)
        guard let first = lines.nextNonBlank() else { return ([], .empty) }

        let firstLine = UnsafeBufferPointer(rebasing: buffer[first.range])
        if let value = try? JSONParser.parse(firstLine) {
            var peek = lines
            if peek.nextNonBlank() == nil {
                // The only line: a one-line document, positions without line numbers.
                sink.add(consume value, line: nil)
                return (sink.items, .document)
            }
            sink.add(consume value, line: first.number)
            decodeRemainingLines(&lines, into: &sink)
            return (sink.items, .ndjson)
        }
        if looksLikeOneLineObject(firstLine) {
            var all = LineCursor(buffer: buffer, position: start, lineNumber: 0)
            decodeRemainingLines(&all, into: &sink)
            return (sink.items, .ndjson)
        }
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(buffer)
            sink.add(consume value, line: nil)
            return (sink.items, .document)
        } catch {
            if let second = lines.nextNonBlank(), secondIsObject(UnsafeBufferPointer(rebasing: buffer[second.range])) {
                var all = LineCursor(buffer: buffer, position: start, lineNumber: 0)
                decodeRemainingLines(&all, into: &sink)
                return (sink.items, .ndjson)
            }
            throw InputFileError(file: file, line: error.line, column: error.column, message: "invalid JSON: \(error.message)")
        }
    }

    static func secondIsObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        if case .object? = try? JSONParser.parse(line) { return true }
        return false
    }

    static func decodeRemainingLines(_ lines: inout LineCursor, into sink: inout ItemSink) {
        while let line = lines.nextNonBlank() {
            decodeLine(UnsafeBufferPointer(rebasing: lines.buffer[line.range]), number: line.number, into: &sink)
        }
    }

    /// Decodes one NDJSON line (not blank) into items or one failure.
    static func decodeLine(_ line: UnsafeBufferPointer<UInt8>, number: Int, into sink: inout ItemSink) {
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(line)
            sink.add(consume value, line: number)
        } catch {
            sink.fail(line: number, column: error.column, message: "invalid JSON: \(error.message)")
        }
    }

    static func hasBOM(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
    }

    /// Whether a line is only JSON whitespace (a UTF-8 BOM counts as blank too).
    static func isBlank(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = hasBOM(b) ? 3 : 0
        while i < b.count {
            let c = b[i]
            if c != 0x20 && c != 0x09 && c != 0x0D && c != 0x0A { return false }
            i += 1
        }
        return true
    }

    /// `{ ... }` on one line: an NDJSON record even if it does not parse.
    static func looksLikeOneLineObject(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var lo = hasBOM(b) ? 3 : 0
        var hi = b.count - 1
        while lo <= hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
        while hi >= lo, b[hi] == 0x20 || b[hi] == 0x09 || b[hi] == 0x0D { hi -= 1 }
        return hi > lo && b[lo] == UInt8(ascii: "{") && b[hi] == UInt8(ascii: "}")
    }
}

/// Walks the lines of a buffer (LF-separated; a CR before the LF is whitespace to JSON).
struct LineCursor {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    var lineNumber: Int

    mutating func next() -> (range: Range<Int>, number: Int)? {
        guard position < buffer.count else { return nil }
        let start = position
        var i = start
        while i < buffer.count, buffer[i] != 0x0A { i += 1 }
        position = i + 1
        lineNumber += 1
        return (start..<i, lineNumber)
    }

    mutating func nextNonBlank() -> (range: Range<Int>, number: Int)? {
        while let line = next() {
            if !InputDecoder.isBlank(UnsafeBufferPointer(rebasing: buffer[line.range])) { return line }
        }
        return nil
    }
}

/// Collects items for one file, numbering them.
struct ItemSink {
    let file: String
    var nextIndex: Int
    var items: [InputItem] = []

    enum Kind { case auto, posting, returnItem }

    mutating func fail(line: Int?, column: Int? = nil, postingNumber: String? = nil, field: String? = nil, message: String) {
        let index = nextIndex
        nextIndex += 1
        items.append(.failure(InputError(
            file: file, index: index, line: line, column: column, postingNumber: postingNumber, field: field, message: message)))
    }

    /// Adds the items of one top-level value, recognising Ozon's response envelopes.
    ///
    /// Takes ownership of `value` and hands each item over uniquely owned, so the normalisers
    /// work in place instead of copying every container.
    mutating func add(_ value: consuming JSONValue, line: Int?) {
        switch consume value {
        case .array(var elements):
            addEach(&elements, kind: .auto, line: line)
        case .object(var o):
            if let p = o.position(forKey: "postings") {
                guard case .array(var list) = o.storage[p].value else {
                    let kind = o.storage[p].value.kindName
                    fail(line: line, field: "postings", message: "field 'postings': expected an array, got \(kind)")
                    return
                }
                o.storage[p].value = .null
                addEach(&list, kind: .posting, line: line)
            } else if let p = o.position(forKey: "result"), !o.storage[p].value.isNull {
                let result = o.storage[p].value
                o.storage[p].value = .null
                switch consume result {
                case .object(var r):
                    if let q = r.position(forKey: "postings") {
                        guard case .array(var list) = r.storage[q].value else {
                            let kind = r.storage[q].value.kindName
                            fail(line: line, field: "result.postings", message: "field 'result.postings': expected an array, got \(kind)")
                            return
                        }
                        r.storage[q].value = .null
                        addEach(&list, kind: .posting, line: line)
                    } else {
                        addItem(.object(r), kind: .posting, line: line)
                    }
                case .array(var list):
                    addEach(&list, kind: .posting, line: line)
                case let other:
                    fail(line: line, field: "result", message: "field 'result': expected a posting or a list, got \(other.kindName)")
                }
            } else if let p = o.position(forKey: "returns"), !o.storage[p].value.isNull {
                let returns = o.storage[p].value
                o.storage[p].value = .null
                switch consume returns {
                case .array(var list):
                    addEach(&list, kind: .returnItem, line: line)
                case .object(let r):
                    addItem(.object(r), kind: .returnItem, line: line)
                case let other:
                    fail(line: line, field: "returns", message: "field 'returns': expected an array or an object, got \(other.kindName)")
                }
            } else if o["posting_number"] == nil, o["return_id"] == nil, let message = o["message"]?.stringValue, o["code"] != nil {
                // Ozon's error body {code, message, details} saved instead of a response.
                let code = o["code"].map { JSONWriter.write($0) } ?? ""
                fail(line: line, message: "an Ozon error response, not postings (code \(code)): \(message)")
            } else {
                addItem(.object(o), kind: .auto, line: line)
            }
        case let other:
            fail(line: line, message: "expected a posting, a return or an Ozon list response, got \(other.kindName)")
        }
    }

    /// Adds every element, taking each out of the array so it is uniquely owned.
    mutating func addEach(_ list: inout [JSONValue], kind: Kind, line: Int?) {
        for i in list.indices {
            let element = list[i]
            list[i] = .null
            addItem(element, kind: kind, line: line)
        }
    }

    mutating func addItem(_ value: consuming JSONValue, kind: Kind, line: Int?) {
        guard case .object = value else {
            let what = kind == .returnItem ? "a return" : "a posting"
            fail(line: line, message: "expected \(what) object, got \(value.kindName)")
            return
        }
        guard case .object(let o) = consume value else { return }
        let isReturn: Bool
        switch kind {
        case .posting: isReturn = false
        case .returnItem: isReturn = true
        case .auto: isReturn = ItemSink.looksLikeReturn(o)
        }
        let position = InputPosition(file: file, index: nextIndex, line: line)
        let postingNumber = o["posting_number"]?.stringValue
        do throws(ItemDecodingError) {
            if isReturn {
                items.append(.returnEvent(try ReturnEvent(object: o), position: position))
            } else {
                items.append(.posting(try Posting(object: consume o), position: position))
            }
            nextIndex += 1
        } catch {
            fail(line: line, postingNumber: error.postingNumber ?? postingNumber, field: error.field, message: error.message)
        }
    }

    /// A return item carries a return id or reason and a single `product`; a posting has
    /// `status` and `products`.
    static func looksLikeReturn(_ o: JSONObject) -> Bool {
        if o.contains(key: "return_id") || o.contains(key: "return_reason_name") || o.contains(key: "return_reason") {
            return true
        }
        // `/v2/returns/rfbs/get` has no return_id: its request number and action lists say it.
        if ReturnEvent.looksLikeRFBSRequest(o) { return true }
        return o.contains(key: "id") && o.contains(key: "product") && !o.contains(key: "products") && !o.contains(key: "status")
    }
}
