import Foundation
import OzonRulesCLI
import TestSupport

/// Runs `ozon-rules` commands inside the test process, with their output in memory: the
/// same stdout, stderr and exit code as the binary for the commands that take a `CommandIO`.
enum InProcess {
    /// The commands name files relative to the repository root, as the binary's tests run it.
    private static let inRepositoryRoot: Void = {
        _ = FileManager.default.changeCurrentDirectoryPath(Repository.root.path)
    }()

    static func run(_ arguments: [String]) async -> BinaryRunner.Result {
        _ = inRepositoryRoot
        let io = CommandIO.buffered()
        let code = await OzonRules.runMain(arguments, io: io)
        return BinaryRunner.Result(stdout: io.out.text, stderr: io.err.text, exitCode: code)
    }
}
