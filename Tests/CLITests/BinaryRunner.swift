import Foundation
import Testing

/// Runs the built `ozon-rules` binary, as a user would, from the repository root.
enum BinaryRunner {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (same build folder and configuration).
    static var binary: URL {
        get throws {
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

    struct RunnerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    struct Result: Equatable {
        var stdout: String
        var stderr: String
        var exitCode: Int32
    }

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
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
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self),
            exitCode: process.terminationStatus)
    }
}

/// Golden files under Tests/CLITests/Golden: `<name>.stdout`, `<name>.stderr`, `<name>.exit`.
/// Set OZON_RULES_UPDATE_GOLDEN=1 to rewrite them from the current binary.
enum Golden {
    static let folder = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/CLITests/Golden")

    static func check(_ name: String, _ result: BinaryRunner.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = [("stdout", result.stdout), ("stderr", result.stderr), ("exit", "\(result.exitCode)\n")]
        if ProcessInfo.processInfo.environment["OZON_RULES_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (suffix, text) in files {
                try text.write(to: folder.appendingPathComponent("\(name).\(suffix)"), atomically: true, encoding: .utf8)
            }
            return
        }
        for (suffix, text) in files {
            let url = folder.appendingPathComponent("\(name).\(suffix)")
            guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                Issue.record("missing golden file \(url.lastPathComponent); run with OZON_RULES_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
                continue
            }
            #expect(text == expected, "\(name).\(suffix) differs from the golden file", sourceLocation: sourceLocation)
        }
    }
}
