import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built binary on a pseudo-terminal, as a user at a terminal would,
/// and waits for what it prints (with terminal escape sequences removed).
final class ToolingPseudoTerminal {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    private let master: Int32
    private var bytes: [UInt8] = []
    /// How much of the cleaned output earlier `expect` calls consumed.
    private var consumed = 0

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: 40, ws_col: 160, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw Failure(description: "openpty failed: errno \(errno)") }
        self.master = master
        process.executableURL = try BinaryRunner.binary
        process.arguments = arguments
        process.currentDirectoryURL = BinaryRunner.repositoryRoot
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Types `text` (use "\r" for Enter and "\t" for Tab).
    func type(_ text: String) {
        let data = Array(text.utf8)
        data.withUnsafeBytes { _ = write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until the output after the previous match contains `text`; returns that stretch of output.
    @discardableResult
    func expect(_ text: String, timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let cleaned = ToolingPseudoTerminal.clean(bytes)
            let unread = String(cleaned.dropFirst(consumed))
            if let range = unread.range(of: text) {
                consumed += unread[..<range.upperBound].count
                return String(unread[..<range.upperBound])
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, readSome(timeoutMilliseconds: Int32(min(remaining, 1) * 1000)) || remaining > 1 else {
                throw Failure(description: "timed out waiting for \(text.debugDescription); the terminal shows:\n\(unread)")
            }
        }
    }

    /// Waits for the process to end; its exit status.
    func waitForExit(timeout: TimeInterval = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            _ = readSome(timeoutMilliseconds: 100)
            if Date() > deadline { throw Failure(description: "the process did not exit") }
        }
        return process.terminationStatus
    }

    /// Reads what is available within the timeout; false when nothing came.
    private func readSome(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMilliseconds) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        bytes.append(contentsOf: buffer[0..<count])
        return true
    }

    /// The output as text: escape sequences, bells and carriage returns removed.
    static func clean(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B {
                index += 1
                if index < bytes.count && bytes[index] == UInt8(ascii: "[") {
                    index += 1
                    while index < bytes.count && !(0x40...0x7E).contains(bytes[index]) { index += 1 }
                }
                index += 1
                continue
            }
            if byte != 0x07 && byte != 0x0D { out.append(byte) }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
