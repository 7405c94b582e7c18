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
/// holding postings: memory grows with the number of postings, not with their size.
///
/// A posting in a regular file's NDJSON line is found at the line's offset; a line from a pipe
/// (stdin) is copied to the spool; a posting of a JSON document is spooled as its normalised
/// fields. The last posting of a number wins, as the input is read.
final class PostingIndex {
    private enum Location {
        /// A line of a regular file (by its place among the run's files), and the item within it.
        case fileLine(file: Int32, offset: Int, length: Int32, item: Int32)
        /// A line copied to the spool, and the item within it.
        case spooledLine(offset: Int, length: Int32, item: Int32)
        /// A posting's normalised fields, as JSON in the spool.
        case spooledPosting(offset: Int, length: Int32)
    }

    private let files: [String]
    private var locations: [String: Location] = [:]
    private let spool = Spool()
    /// Files opened to read postings back, by place.
    private var opened: [Int32: Int32] = [:]

    init(files: [String]) { self.files = files }

    deinit { closeFiles() }

    /// A posting that is item `item` of a line at `offset` of regular file number `file`.
    func add(_ postingNumber: String, file: Int, offset: Int, length: Int, item: Int) {
        locations[postingNumber] = .fileLine(file: Int32(file), offset: offset, length: Int32(length), item: Int32(item))
    }

    /// Copies a line to the spool (once for all of its postings); returns where it went.
    func spool(line: [UInt8]) -> Int { spool.append(line) }

    /// A posting that is item `item` of a line spooled at `offset`.
    func add(_ postingNumber: String, spooledLineAt offset: Int, length: Int, item: Int) {
        locations[postingNumber] = .spooledLine(offset: offset, length: Int32(length), item: Int32(item))
    }

    /// A posting decoded from a JSON document: its normalised fields go to the spool.
    func add(_ posting: Posting) {
        var bytes: [UInt8] = []
        JSONWriter.write(.object(posting.fields), into: &bytes)
        let offset = spool.append(bytes)
        locations[posting.postingNumber] = .spooledPosting(offset: offset, length: Int32(bytes.count))
    }

    /// The bytes of the posting with this number, for a worker to decode; nil if there is none.
    func postingBytes(_ postingNumber: String) -> PostingBytes? {
        switch locations[postingNumber] {
        case nil:
            return nil
        case .fileLine(let file, let offset, let length, let item)?:
            return Spool.read(descriptor(file), offset: offset, count: Int(length)).map { .line($0, item: Int(item)) }
        case .spooledLine(let offset, let length, let item)?:
            return spool.read(offset: offset, count: Int(length)).map { .line($0, item: Int(item)) }
        case .spooledPosting(let offset, let length)?:
            return spool.read(offset: offset, count: Int(length)).map { .normalizedFields($0) }
        }
    }

    /// Closes the files opened by `storedPosting`.
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
