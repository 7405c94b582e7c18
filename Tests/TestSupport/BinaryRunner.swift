import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `ozon-rules` binary, as a user would, from the repository root.
public enum BinaryRunner {
    public static var repositoryRoot: URL { Repository.root }

    /// The binary next to the test bundle (same build folder and configuration), or
    /// `$OZON_RULES_BIN` when set.
    public static var binary: URL {
        get throws {
            if let path = ProcessInfo.processInfo.environment["OZON_RULES_BIN"] { return URL(fileURLWithPath: path) }
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var folder = executable.deletingLastPathComponent()
            // On Linux the test runner is `<build>/ozon-rulesPackageTests.xctest`; on macOS it is inside a bundle.
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("ozon-rules")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
            let fallback = repositoryRoot.appendingPathComponent(".build/debug/ozon-rules")
            if FileManager.default.isExecutableFile(atPath: fallback.path) { return fallback }
            throw RunnerError(message: "the ozon-rules binary is not built next to the tests; run `swift build` first")
        }
    }

    public struct RunnerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public struct Result: Equatable, Sendable {
        public var stdout: String
        public var stderr: String
        public var exitCode: Int32

        public init(stdout: String, stderr: String, exitCode: Int32) {
            self.stdout = stdout
            self.stderr = stderr
            self.exitCode = exitCode
        }
    }

    /// Runs the binary to its end; one still running after `timeout` seconds is killed
    /// (SIGKILL, exit code 9 and a line on stderr), so a hung command fails its test instead of
    /// holding up the whole run.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           timeout: Double = 600) throws -> Result {
        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let killed = Atomic<Bool>(false)
        let watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            killed.store(true, ordering: .relaxed)
            kill(process.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        watchdog.cancel()
        let note = killed.load(ordering: .relaxed) ? "\n[killed after \(timeout) s: ozon-rules \(arguments.joined(separator: " "))]\n" : ""
        return Result(
            stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self) + note,
            exitCode: process.terminationStatus)
    }
}

