import ArgumentParser

/// A command that writes only to the streams it is given, so it can run in-process
/// (`OzonRules.runMain(arguments, io:)`); its `run()` is `run(io: .standard)`.
protocol IOCommand: ParsableCommand {
    func run(io: CommandIO) throws
}

/// An async command that writes only to the streams it is given (the store and server commands).
protocol AsyncIOCommand: AsyncParsableCommand {
    func run(io: CommandIO) async throws
}

extension AsyncIOCommand {
    func run() async throws { try await run(io: .standard) }
}
