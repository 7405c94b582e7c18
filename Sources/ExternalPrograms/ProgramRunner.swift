import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs and other blocking work off Swift's cooperative thread pool.
///
/// The pool has one thread per core (two here). Code that waits on a child process, a pipe or
/// `usleep` from a pool thread holds that thread for as long as it waits, and two such waits at
/// once stop every other task of the process: servers stop answering, clients time out and
/// retry. Everything that blocks therefore runs on a thread of its own.
public enum ProgramRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Killed because it was still running after the timeout.
        public var timedOut: Bool
    }

    /// Runs `work` on a new thread and waits for it without holding a pool thread.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result<T, any Error> { try work() }) }.start()
        }
    }

    /// Waits for `process` to end, off the pool.
    public static func waitUntilExit(_ process: Process) async {
        _ = try? await offPool { process.waitUntilExit() }
    }

    /// Runs `executable` to its end, writing `stdin` to it and reading both pipes at once (a full
    /// pipe never blocks the child). One still running after `timeout` seconds gets SIGKILL (a
    /// hung browser may not heed SIGTERM). With `mergeErrors` stderr goes into `stdout`.
    public static func run(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil,
        directory: URL? = nil, mergeErrors: Bool = false, timeout: Double = 600
    ) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = mergeErrors ? output : errors
        process.standardInput = input
        try process.run()
        let killed = Atomic<Bool>(false)
        let watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            killed.store(true, ordering: .relaxed)
            kill(process.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        async let errorData = mergeErrors ? Data() : offPool { errors.fileHandleForReading.readDataToEndOfFile() }
        async let outputData = offPool { output.fileHandleForReading.readDataToEndOfFile() }
        try await offPool {
            if let stdin { input.fileHandleForWriting.write(stdin) }
            try input.fileHandleForWriting.close()
        }
        let (out, err) = try await (outputData, errorData)
        await waitUntilExit(process)
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self), timedOut: killed.load(ordering: .relaxed))
    }
}
