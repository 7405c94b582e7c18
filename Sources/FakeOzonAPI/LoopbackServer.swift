import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird app on 127.0.0.1 run in the background, for the fakes.
struct LoopbackServer {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int

    /// Starts serving `router` on `port` (0: a free one) and waits until it listens.
    static func start<Context: RequestContext>(_ router: Router<Context>, label: String, port requested: Int = 0) async -> LoopbackServer
    where Context: InitializableFromSource<ApplicationRequestContextSource> {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: requested)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await listening in stream {
            port = listening
            break
        }
        return LoopbackServer(group: group, task: task, port: port)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
