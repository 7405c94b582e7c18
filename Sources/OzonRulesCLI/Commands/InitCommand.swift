import ArgumentParser
import Foundation
import RulesAuthoring

/// `ozon-rules init`: writes a working rules folder to start from.
struct InitCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a new rules folder with every hook, tests and editor files.",
        discussion: """
            Writes carrier.lua, packaging.lua, inserts.lua, returns.lua and transitions.lua, each \
            with a small commented policy, a shared module in lib/, catalog.json, tests in tests/ \
            that pass and cover every line, and the editor files (.luarc.json, \
            types/ozon-rules.lua, .luacheckrc). Comments are in the language chosen with --lang; \
            the texts of the cards stay Russian, for the buyers.

            It never overwrites: if any of its files exists, it writes nothing and exits 1.

            Example: ozon-rules init --lang zh rules
            """
    )

    @Argument(help: ArgumentHelp("The folder to create.", valueName: "DIR"))
    var directory: String = "rules"

    @Option(name: .long, help: ArgumentHelp("The language of the comments: en, ru or zh.", valueName: "LANG"))
    var lang: String = "en"

    func validate() throws {
        guard RulesInit.Language(rawValue: lang) != nil else { throw ValidationError("--lang must be en, ru or zh") }
    }

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        let language = RulesInit.Language(rawValue: lang) ?? .en
        do {
            let written = try RulesInit.write(to: URL(fileURLWithPath: directory), language: language)
            for path in written { io.out.writeLine("\(directory)/\(path)") }
            io.err.writeLine("ozon-rules: wrote \(written.count) files; next: ozon-rules test --rules \(directory) --coverage")
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
    }
}
