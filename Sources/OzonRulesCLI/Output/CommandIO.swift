#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where a command's bytes go: results to `out`, diagnostics and progress to `err`; and what
/// `-` reads. Commands take one in `run(io:)`, so tests can run them in-process and read what
/// they wrote; `run()` uses `.standard`.
package struct CommandIO: Sendable {
    package let out: ByteSink
    package let err: ByteSink
    /// The descriptor `-` reads.
    package let input: Int32

    package init(out: ByteSink, err: ByteSink, input: Int32 = 0) {
        self.out = out
        self.err = err
        self.input = input
    }

    /// The process's stdout, stderr and stdin.
    package static let standard = CommandIO(out: ByteSink(descriptor: 1), err: ByteSink(descriptor: 2), input: 0)

    /// Two memory buffers (read them with `out.text`, `err.text`); `-` still reads stdin.
    package static func buffered() -> CommandIO {
        CommandIO(out: ByteSink(), err: ByteSink())
    }
}

/// A byte destination: a file descriptor, written at once and in full, or a memory buffer.
package final class ByteSink: Sendable {
    /// nil: a memory buffer.
    private let descriptor: Int32?
    private let buffer = Mutex<[UInt8]>([])

    /// Writes to `descriptor` (left open).
    package init(descriptor: Int32) { self.descriptor = descriptor }

    /// Keeps everything written in memory.
    package init() { descriptor = nil }

    package func write(_ bytes: [UInt8]) {
        if let descriptor {
            writeFully(descriptor, bytes)
        } else {
            buffer.withLock { $0.append(contentsOf: bytes) }
        }
    }

    package func write(_ text: String) { write(Array(text.utf8)) }

    /// `text` and a newline (a diagnostic).
    package func writeLine(_ text: String) { write(text + "\n") }

    /// Whether this is a terminal (progress is shown only there).
    package var isTerminal: Bool { descriptor.map { isatty($0) != 0 } ?? false }

    /// What was written, for a memory buffer (empty for a descriptor).
    package var bytes: [UInt8] { buffer.withLock { $0 } }

    /// `bytes` as UTF-8.
    package var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Writes all of `bytes`, resuming after signals; gives up on a closed pipe or a full disk.
private func writeFully(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}
