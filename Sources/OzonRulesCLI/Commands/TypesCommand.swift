import ArgumentParser
import Foundation
import RulesAuthoring

/// `ozon-rules types`: editor definitions for a rules folder.
struct TypesCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "Write LuaLS definitions of what scripts see and return.",
        discussion: """
            Writes DIR/.luarc.json and DIR/types/ozon-rules.lua for lua-language-server (VS Code, \
            Neovim, ...): every field of posting, ret and ctx, every decision and action shape, \
            and the helpers rub, unix_time, print and require, so that an editor completes \
            posting. and flags a misspelt field. Both files are generated from the engine's own \
            description and are replaced on every run.

            Example: ozon-rules types rules
            """
    )

    @Argument(help: ArgumentHelp("The rules folder.", valueName: "DIR"))
    var directory: String = "rules"

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        do {
            try EditorFiles.write(EditorFiles.types, to: URL(fileURLWithPath: directory))
            for file in EditorFiles.types { io.out.writeLine("\(directory)/\(file.path)") }
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
    }
}
