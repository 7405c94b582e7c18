#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `InputReader.nextChunk()` hands out.
public enum InputChunk: Sendable {
    case item(InputItem)
    /// An NDJSON line (1-based `number`), for `InputDecoder.decodeLine`.
    case line([UInt8], number: Int)
}

/// Reads the items of one file, of standard input (`-`) or of any open descriptor (a pipe),
/// streaming NDJSON line by line.
///
/// The format is decided from the first non-blank line (see `InputDecoder`): NDJSON is read with
/// a buffer that only ever holds the longest line plus one read chunk, so a file of 100,000
/// postings is never loaded whole; any other shape is read whole and decoded as one document.
///
/// Opening the file and detecting the format happen in `init`, so a missing file or a document
/// that does not parse is an `InputFileError` there. After that, `next()` only returns items; a
/// read error in the middle of an NDJSON stream becomes a final `.failure` item.
///
/// Not `Sendable`: it owns a file descriptor and a mutable buffer; use it from one task.
public final class InputReader: Sequence, IteratorProtocol {
    /// The file as named in positions and errors.
    public let file: String
    /// The detected layout.
    public private(set) var format: InputFormat = .empty
    /// Whether the input is a regular file, whose bytes can be read again at an offset
    /// (not a pipe, a terminal or a socket).
    public let isRegularFile: Bool
    /// Where the last `.line` that `nextChunk()` handed out starts in the input (bytes from
    /// the start), so a regular file's line can be read again later without reading the rest.
    public private(set) var lineOffset = 0
    /// Called when the input has nothing to read right now (a pipe whose writer has not written
    /// the next line yet), just before the read that waits for it; never for a regular file.
    /// Lets a caller push out what it has so far instead of holding it until more input comes.
    public var beforeWaiting: (() -> Void)?

    private let fd: Int32
    private let ownsDescriptor: Bool
    private let chunkSize: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Unconsumed bytes are `buffer[start..<end]`; `scanned` marks how far no newline was found.
    private var start = 0
    private var end = 0
    /// Offset in the input of `buffer[0]`.
    private var base = 0
    private var scanned = 0
    private var eof = false
    private var finished = false
    private var lineNumber = 0
    private var sink: ItemSink
    private var pending = 0

    /// Opens `path` (`-` is standard input) and detects its format. `displayName` replaces the
    /// path in positions and errors (standard input is called `<stdin>` by default).
    public convenience init(path: String, displayName: String? = nil, chunkSize: Int = 1 << 20) throws(InputFileError) {
        let name = displayName ?? (path == "-" ? "<stdin>" : path)
        if path == "-" {
            try self.init(descriptor: 0, owned: false, name: name, chunkSize: chunkSize)
            return
        }
        let opened = open(path, O_RDONLY)
        if opened < 0 { throw InputFileError(file: name, message: "cannot open: \(InputReader.errnoText())") }
        try self.init(descriptor: opened, owned: true, name: name, chunkSize: chunkSize)
    }

    /// Reads an open descriptor (left open: the caller owns it) and detects its format.
    public convenience init(descriptor: Int32, displayName: String, chunkSize: Int = 1 << 20) throws(InputFileError) {
        try self.init(descriptor: descriptor, owned: false, name: displayName, chunkSize: chunkSize)
    }

    private init(descriptor: Int32, owned: Bool, name: String, chunkSize: Int) throws(InputFileError) {
        file = name
        fd = descriptor
        ownsDescriptor = owned
        var info = stat()
        isRegularFile = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        self.chunkSize = Swift.max(chunkSize, 16)
        capacity = self.chunkSize
        buffer = .allocate(capacity: capacity)
        sink = ItemSink(file: name, nextIndex: 0)
        try detect()
    }

    deinit {
        if ownsDescriptor { _ = close(fd) }
        buffer.deallocate()
    }

    /// All remaining items.
    public func readAll() -> [InputItem] { Array(self) }

    public func next() -> InputItem? {
        while let step = nextStep() {
            switch step {
            case .item(let item): return item
            case .line(let bytes): InputDecoder.decodeLine(bytes, number: lineNumber, into: &sink)
            }
        }
        return nil
    }

    /// Like `next()`, but an NDJSON line comes out undecoded, so the caller
    /// can decode lines on several threads (`InputDecoder.decodeLine`). Items
    /// decoded here (the first line, a JSON document, read errors) come out as
    /// items. Number what comes out in order with `InputItem.renumbered`.
    public func nextChunk() -> InputChunk? {
        switch nextStep() {
        case .item(let item)?: return .item(item)
        case .line(let bytes)?: return .line(Array(bytes), number: lineNumber)
        case nil: return nil
        }
    }

    private enum Step {
        case item(InputItem)
        /// A non-blank NDJSON line (number `lineNumber`), valid until the next step.
        case line(UnsafeBufferPointer<UInt8>)
    }

    /// The next decoded item waiting, or else the next non-blank line.
    private func nextStep() -> Step? {
        while true {
            if pending < sink.items.count {
                let item = sink.items[pending]
                pending += 1
                return .item(item)
            }
            if pending > 0 {
                sink.items.removeAll(keepingCapacity: true)
                pending = 0
            }
            if finished { return nil }
            let line: Range<Int>?
            do throws(InputFileError) {
                line = try nextLine()
            } catch {
                finished = true
                sink.fail(line: lineNumber + 1, message: "read error: \(error.message)")
                continue
            }
            guard let line else {
                finished = true
                return nil
            }
            lineNumber += 1
            let bytes = UnsafeBufferPointer(start: buffer + line.lowerBound, count: line.count)
            if InputDecoder.isBlank(bytes) { continue }
            lineOffset = base + line.lowerBound
            return .line(bytes)
        }
    }

    // MARK: Detection

    private func detect() throws(InputFileError) {
        // Find the first non-blank line without consuming anything (start stays 0, so the
        // buffer only grows and offsets stay valid).
        var lineStart = 0
        var number = 0
        var firstLine: Range<Int>?
        while firstLine == nil {
            if let nl = findNewline(from: lineStart) {
                number += 1
                if !InputDecoder.isBlank(view(lineStart..<nl)) { firstLine = lineStart..<nl }
                lineStart = nl + 1
                continue
            }
            if eof {
                if lineStart < end, !InputDecoder.isBlank(view(lineStart..<end)) {
                    number += 1
                    firstLine = lineStart..<end
                    break
                }
                format = .empty
                finished = true
                return
            }
            try fill()
        }
        guard let firstLine else { return }

        let bytes = view(firstLine)
        if let value = try? JSONParser.parse(bytes) {
            // Anything but whitespace after this line makes it NDJSON; otherwise it is a
            // one-line document, whose positions carry no line numbers. Nothing is consumed
            // yet (`start` is 0), so filling only appends.
            var peek = Swift.min(firstLine.upperBound + 1, end)
            while true {
                while peek < end, buffer[peek] == 0x20 || buffer[peek] == 0x0A || buffer[peek] == 0x0D || buffer[peek] == 0x09 {
                    peek += 1
                }
                if peek < end {
                    // The first line comes out of `nextChunk()` as a line like the others
                    // (with its offset), so it is read from where it starts.
                    format = .ndjson
                    lineNumber = number - 1
                    start = firstLine.lowerBound
                    scanned = start
                    return
                }
                if eof {
                    format = .document
                    sink.add(value, line: nil)
                    finished = true
                    return
                }
                try fill()
            }
        }
        if InputDecoder.looksLikeOneLineObject(bytes) {
            format = .ndjson  // the line fails alone when next() reaches it
            return
        }
        // A multi-line document: read it whole and decode it in one go.
        while !eof { try fill() }
        let (items, found) = try InputDecoder.decode(view(0..<end), file: file)
        sink.items = items
        format = found
        finished = true
    }

    // MARK: Buffer

    private func view(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buffer + range.lowerBound, count: range.count)
    }

    private func findNewline(from offset: Int) -> Int? {
        let from = Swift.max(offset, scanned)
        guard from < end else { return nil }
        if let p = memchr(buffer + from, 0x0A, end - from) {
            return buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
        }
        scanned = end
        return nil
    }

    /// The next line's byte range (without its LF), reading more input as needed; nil at the end.
    private func nextLine() throws(InputFileError) -> Range<Int>? {
        while true {
            if let nl = findNewline(from: start) {
                let line = start..<nl
                start = nl + 1
                scanned = start
                return line
            }
            if eof {
                guard start < end else { return nil }
                let line = start..<end
                start = end
                scanned = end
                return line
            }
            try fill()
        }
    }

    /// Reads one more chunk: first moves unconsumed bytes to the front, and grows the buffer only
    /// when a single line fills it.
    private func fill() throws(InputFileError) {
        if start > 0 {
            let live = end - start
            if live > 0 { memmove(buffer, buffer + start, live) }
            base += start
            scanned -= start
            end = live
            start = 0
        }
        if capacity - end < chunkSize / 2 {
            let newCapacity = Swift.max(capacity * 2, end + chunkSize)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity = newCapacity
        }
        if let beforeWaiting, !isRegularFile, !InputReader.readable(fd) { beforeWaiting() }
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n > 0 {
                end += n
                return
            }
            if n == 0 {
                eof = true
                return
            }
            if errno == EINTR { continue }
            throw InputFileError(file: file, message: "cannot read: \(InputReader.errnoText())")
        }
    }

    /// Whether a read would return at once (data or the end of input are there).
    private static func readable(_ fd: Int32) -> Bool {
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&request, 1, 0) != 0
    }

    private static func errnoText() -> String {
        guard let c = strerror(errno) else { return "error \(errno)" }
        return String(cString: c)
    }
}

@available(*, unavailable, message: "InputReader owns a file descriptor and a buffer; use it from one task")
extension InputReader: Sendable {}
