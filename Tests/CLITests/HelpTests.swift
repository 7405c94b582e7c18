import ArgumentParser
import OzonRulesCLI
import Testing

/// Every command's `--help` at 80 columns reads as paragraphs: the parser wraps them, so no
/// line ends early inside a sentence, and each command shows an example.
@Suite("Help at 80 columns")
struct HelpTests {
    static let commands: [(name: String, type: any ParsableCommand.Type)] =
        [("ozon-rules", OzonRules.self)] + OzonRules.configuration.subcommands.map { ($0.configuration.commandName ?? "\($0)", $0) }

    /// The parser keeps lines shorter than the width it is given.
    static let columns = 80

    /// The lines of the overview and discussion, before USAGE.
    static func prose(_ help: String) -> [Substring] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        return Array(lines.prefix { !$0.hasPrefix("USAGE:") })
    }

    /// A line of a paragraph after which its paragraph goes on with a word that would have fit
    /// on it: the parser wraps greedily, so only a hard break in the text ends a line there
    /// (`inserts.lua,` alone on a line).
    static func brokenLines(_ help: String) -> [String] {
        let lines = prose(help)
        var broken: [String] = []
        for (line, next) in zip(lines, lines.dropFirst()) {
            let paragraphGoesOn = !next.isEmpty && !next.hasPrefix(" ")
            let isParagraph = !line.isEmpty && !line.hasPrefix(" ")
            let nextWord = next.split(separator: " ").first ?? ""
            if isParagraph && paragraphGoesOn && line.count + 1 + nextWord.count < HelpTests.columns {
                broken.append(String(line))
            }
        }
        return broken
    }

    @Test("no line is broken inside a sentence, every line fits, and there is an example",
          arguments: HelpTests.commands.map(\.name))
    func help(_ name: String) throws {
        let command = try #require(HelpTests.commands.first { $0.name == name }?.type)
        let help = OzonRules.helpMessage(for: command, columns: HelpTests.columns)
        #expect(Self.brokenLines(help) == [], "\(name) --help")
        let long = Self.prose(help).filter { $0.count > 80 }
        #expect(long.isEmpty, "\(name) --help has lines over 80 columns: \(long)")
        #expect(help.contains("Example"), "\(name) --help has no example")
    }

    @Test("the check catches a hard break inside a paragraph")
    func detectsBreaks() {
        let ragged = "OVERVIEW: Run rules.\n\nRules live in a folder: carrier.lua, packaging.lua,\ninserts.lua,\nreturns.lua and more.\n\nUSAGE: x\n"
        #expect(Self.brokenLines(ragged) == ["Rules live in a folder: carrier.lua, packaging.lua,", "inserts.lua,"])
        let wrapped = "OVERVIEW: Run rules.\n\n" + String(repeating: "word ", count: 15) + "wrapped\nhere.\n\nUSAGE: x\n"
        #expect(Self.brokenLines(wrapped) == [])
    }
}
