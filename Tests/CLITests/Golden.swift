import Foundation
import TestSupport
import Testing

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
