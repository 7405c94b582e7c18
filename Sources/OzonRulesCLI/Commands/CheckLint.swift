import ArgumentParser
import Foundation
import RulesAuthoring

/// `check --lint`: the check, then luacheck's findings; exits 1 if either
/// found a problem, 2 when luacheck cannot run.
enum CheckLint {
    static func run(_ command: CheckCommand) throws {
        var plain = command
        plain.lint = false
        var failed = false
        do {
            try plain.run()
        } catch let exit as ExitCode where exit == ExitCode(1) {
            failed = true
        }
        let findings: [LintFinding]
        do {
            findings = try RulesLint.run(folder: command.rulesOptions.rulesURL)
        } catch {
            Diagnostics.write("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        for finding in findings { print(finding.description) }
        if !findings.isEmpty {
            Diagnostics.write("ozon-rules: \(findings.count) lint finding\(findings.count == 1 ? "" : "s") in \(command.rulesOptions.rules)")
        }
        if failed || !findings.isEmpty { throw ExitCode(1) }
    }
}
