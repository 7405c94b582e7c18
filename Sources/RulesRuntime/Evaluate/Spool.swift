#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Bytes set aside in an unlinked temporary file and read back by offset: lets a run keep
/// what it may need again from input that cannot be read twice (a pipe) without holding it
/// in memory. Falls back to memory if no temporary file can be made.
final class Spool {
    private var fd: Int32 = -1
    private var opened = false
    /// Set when a write failed (a full disk): later bytes stay in memory.
    private var fileFull = false
    /// Appended bytes not yet written (all of them when there is no file).
    private var pending: [UInt8] = []
    /// Bytes already in the file.
    private var written = 0
    private static let writeThreshold = 1 << 20

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends `bytes`; returns their offset.
    func append(_ bytes: some Collection<UInt8>) -> Int {
        let offset = written + pending.count
        pending.append(contentsOf: bytes)
        if pending.count >= Self.writeThreshold { writePending() }
        return offset
    }

    /// How many bytes were appended.
    var count: Int { written + pending.count }

    /// `count` bytes from `offset`, or nil if they cannot be read back.
    func read(offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset + count <= written + pending.count else { return nil }
        // After a failed write, bytes may lie partly in the file and partly in memory.
        let inFile = max(0, min(written - offset, count))
        var bytes: [UInt8] = []
        if inFile > 0 {
            guard let head = Spool.read(fd, offset: offset, count: inFile) else { return nil }
            bytes = head
        }
        let from = max(0, offset - written)
        bytes.append(contentsOf: pending[from..<from + count - inFile])
        return bytes
    }

    private func writePending() {
        if !opened {
            opened = true
            fd = Spool.makeUnlinkedFile()
        }
        guard fd >= 0, !fileFull else { return }  // no file: keep the bytes in memory
        var done = 0
        while done < pending.count {
            let n = pending.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(written + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // The disk is full: what was not written stays in memory.
                pending.removeFirst(done)
                written += done
                fileFull = true
                return
            }
            done += n
        }
        written += done
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads exactly `count` bytes at `offset` of a descriptor, or nil.
    static func read(_ fd: Int32, offset: Int, count: Int) -> [UInt8]? {
        guard fd >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return bytes
    }

    /// A new file in the temporary folder, removed from it at once: it goes away with the process.
    private static func makeUnlinkedFile() -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/ozon-rules-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
        return fd
    }
}
