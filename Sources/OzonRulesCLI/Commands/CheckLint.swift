import ArgumentParser
import Foundation
import RulesAuthoring

/// `check --lint`: the check, then luacheck's findings; exits 1 if either
/// found a problem, 2 when luacheck cannot run.
enum CheckLint {
    static func run(_ command: CheckCommand, io: CommandIO) throws {
        var plain = command
        plain.lint = false
        var failed = false
        do {
            try plain.run(io: io)
        } catch let exit as ExitCode where exit == ExitCode(1) {
            failed = true
        }
        let findings: [LintFinding]
        do {
            findings = try RulesLint.run(folder: command.rulesOptions.rulesURL)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        for finding in findings { io.out.writeLine(finding.description) }
        if !findings.isEmpty {
            io.err.writeLine("ozon-rules: \(findings.count) lint finding\(findings.count == 1 ? "" : "s") in \(command.rulesOptions.rules)")
        }
        if failed || !findings.isEmpty { throw ExitCode(1) }
    }
}
