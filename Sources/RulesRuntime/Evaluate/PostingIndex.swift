#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PostingModel

/// Where every posting of a run can be read again, by `posting_number`, so a return finds its
/// posting whether it came before or after it, without reading any input twice and without
/// holding postings.
///
/// A posting in a regular file's NDJSON line is found at the line's offset; a line from a pipe
/// (stdin) is copied to a spool; a posting of a JSON document is spooled as its normalised
/// fields. Where each posting is goes to a log of fixed-size records, itself spooled, so memory
/// does not grow with the number of postings either: `find` reads the log once, at the end, for
/// just the numbers the returns name. The last posting of a number wins, as the input is read.
final class PostingIndex {
    enum Location {
        /// A line of a regular file (by its place among the run's files), and the item within it.
        case fileLine(file: Int32, offset: Int, length: Int32, item: Int32)
        /// A line copied to the spool, and the item within it.
        case spooledLine(offset: Int, length: Int32, item: Int32)
        /// A posting's normalised fields, as JSON in the spool.
        case spooledPosting(offset: Int, length: Int32)
    }

    private let files: [String]
    /// One `Record` per posting, in input order.
    private let log = Spool()
    /// Lines from pipes and postings from documents.
    private let data = Spool()
    /// Postings whose number does not fit in a record (never seen in Ozon's data).
    private var longNumbers: [String: Location] = [:]
    /// What `find` found.
    private var found: [String: Location] = [:]
    /// Files opened to read postings back, by place.
    private var opened: [Int32: Int32] = [:]

    init(files: [String]) { self.files = files }

    deinit { closeFiles() }

    /// A posting that is item `item` of a line at `offset` of regular file number `file`.
    func add(_ postingNumber: String, file: Int, offset: Int, length: Int, item: Int) {
        add(postingNumber, .fileLine(file: Int32(file), offset: offset, length: Int32(length), item: Int32(item)))
    }

    /// Copies a line to the spool (once for all of its postings); returns where it went.
    func spool(line: [UInt8]) -> Int { data.append(line) }

    /// A posting that is item `item` of a line spooled at `offset`.
    func add(_ postingNumber: String, spooledLineAt offset: Int, length: Int, item: Int) {
        add(postingNumber, .spooledLine(offset: offset, length: Int32(length), item: Int32(item)))
    }

    /// A posting decoded from a JSON document: its normalised fields go to the spool.
    func add(_ posting: Posting) {
        var bytes: [UInt8] = []
        JSONWriter.write(.object(posting.fields), into: &bytes)
        let offset = data.append(bytes)
        add(posting.postingNumber, .spooledPosting(offset: offset, length: Int32(bytes.count)))
    }

    private func add(_ postingNumber: String, _ location: Location) {
        if let record = Record(postingNumber, location) {
            _ = log.append(record.bytes)
        } else {
            longNumbers[postingNumber] = location
        }
    }

    /// Reads the log once and keeps where the postings with these numbers are (the last of each).
    func find(_ postingNumbers: Set<String>) {
        found = longNumbers.filter { postingNumbers.contains($0.key) }
        let step = Record.size * 16_384
        var offset = 0
        while offset < log.count {
            guard let chunk = log.read(offset: offset, count: min(step, log.count - offset)) else { break }
            for start in stride(from: 0, to: chunk.count, by: Record.size) {
                let record = Record(chunk[start..<start + Record.size])
                let number = record.postingNumber
                if postingNumbers.contains(number) { found[number] = record.location }
            }
            offset += chunk.count
        }
    }

    /// The bytes of a posting `find` found, for a worker to decode; nil if there is none.
    func postingBytes(_ postingNumber: String) -> PostingBytes? {
        switch found[postingNumber] {
        case nil:
            return nil
        case .fileLine(let file, let offset, let length, let item)?:
            return Spool.read(descriptor(file), offset: offset, count: Int(length)).map { .line($0, item: Int(item)) }
        case .spooledLine(let offset, let length, let item)?:
            return data.read(offset: offset, count: Int(length)).map { .line($0, item: Int(item)) }
        case .spooledPosting(let offset, let length)?:
            return data.read(offset: offset, count: Int(length)).map { .normalizedFields($0) }
        }
    }

    /// Closes the files opened by `postingBytes`.
    func closeFiles() {
        for fd in opened.values where fd >= 0 { close(fd) }
        opened = [:]
    }

    private func descriptor(_ file: Int32) -> Int32 {
        if let fd = opened[file] { return fd }
        let fd = open(files[Int(file)], O_RDONLY)
        opened[file] = fd
        return fd
    }
}

/// One entry of the index's log, 64 bytes: kind and number length (2 bytes, 2 unused), file
/// (4), offset (8), length (4), the posting number (up to 40 bytes of UTF-8, zero-padded),
/// item (4); integers little-endian.
private struct Record {
    static let size = 64
    static let numberStart = 20
    static let maxNumber = size - numberStart - 4
    var bytes: [UInt8]

    init?(_ postingNumber: String, _ location: PostingIndex.Location) {
        let number = Array(postingNumber.utf8)
        guard number.count <= Record.maxNumber else { return nil }
        let kind: UInt8, file: Int32, offset: Int, length: Int32, item: Int32
        switch location {
        case .fileLine(let f, let o, let l, let i): (kind, file, offset, length, item) = (0, f, o, l, i)
        case .spooledLine(let o, let l, let i): (kind, file, offset, length, item) = (1, 0, o, l, i)
        case .spooledPosting(let o, let l): (kind, file, offset, length, item) = (2, 0, o, l, 0)
        }
        bytes = [kind, UInt8(number.count), 0, 0]
        bytes.reserveCapacity(Record.size)
        withUnsafeBytes(of: file.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: Int64(offset).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: number)
        bytes.append(contentsOf: repeatElement(0, count: Record.size - bytes.count - 4))
        withUnsafeBytes(of: item.littleEndian) { bytes.append(contentsOf: $0) }
    }

    init(_ slice: ArraySlice<UInt8>) { bytes = Array(slice) }

    var postingNumber: String {
        String(decoding: bytes[Record.numberStart..<Record.numberStart + Int(bytes[1])], as: UTF8.self)
    }

    var location: PostingIndex.Location {
        let file = integer(4, as: Int32.self), offset = Int(integer(8, as: Int64.self))
        let length = integer(16, as: Int32.self)
        let item = integer(Record.size - 4, as: Int32.self)
        switch bytes[0] {
        case 0: return .fileLine(file: file, offset: offset, length: length, item: item)
        case 1: return .spooledLine(offset: offset, length: length, item: item)
        default: return .spooledPosting(offset: offset, length: length)
        }
    }

    private func integer<T: FixedWidthInteger>(_ at: Int, as type: T.Type) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[at..<at + MemoryLayout<T>.size]) }
        return T(littleEndian: value)
    }
}

/// A posting's bytes as they were read (or spooled), decoded again on a worker.
enum PostingBytes: Sendable {
    /// An NDJSON line and the posting's place among the line's items.
    case line([UInt8], item: Int)
    /// A posting's normalised fields as JSON.
    case normalizedFields([UInt8])

    var posting: Posting? {
        switch self {
        case .line(let bytes, let item):
            let items = InputDecoder.decodeLine(bytes, number: 0, file: "")
            guard items.indices.contains(item), case .posting(let posting, _) = items[item] else { return nil }
            return posting
        case .normalizedFields(let bytes):
            guard case .object(let fields)? = try? JSONParser.parse(bytes) else { return nil }
            return try? Posting(normalizedFields: fields)
        }
    }
}
