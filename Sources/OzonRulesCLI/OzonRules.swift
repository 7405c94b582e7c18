import ArgumentParser

public struct OzonRules: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ozon-rules",
        abstract: "Run Ozon fulfilment rules written in Lua on every posting transition.",
        version: "0.1.0"
    )
    public init() {}
}
