import ExternalPrograms
import Foundation

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

    /// Runs the binary to its end, off the cooperative pool; one still running after `timeout`
    /// seconds is killed (SIGKILL, exit code 9 and a line on stderr), so a hung command fails its
    /// test instead of holding up the whole run.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           timeout: Double = 600) async throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let result = try await ProgramRunner.run(
            try binary, arguments, stdin: stdin.map { Data($0.utf8) }, environment: env, directory: repositoryRoot, timeout: timeout)
        let note = result.timedOut ? "\n[killed after \(timeout) s: ozon-rules \(arguments.joined(separator: " "))]\n" : ""
        return Result(stdout: result.stdout, stderr: result.stderr + note, exitCode: result.status)
    }
}

