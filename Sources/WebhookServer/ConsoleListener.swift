import Hummingbird
import Logging
import NIOCore
import SellerConsole
import ServiceLifecycle

/// Where the seller's console listens: its own address, never the push endpoint's, so the
/// pages are not reachable from the address Ozon posts to.
public struct ConsoleListener: Sendable {
    public var host: String
    public var port: Int
    public var console: SellerConsole

    public init(host: String, port: Int, console: SellerConsole) {
        self.host = host
        self.port = port
        self.console = console
    }

    /// The console's application: every request goes to `SellerConsole.respond`, which checks
    /// the token before anything else.
    func application(name: String, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void) -> any Service {
        let console = console
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let answer = await console.respond(to: ConsoleRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                authorization: request.headers[.authorization]))
            var headers = HTTPFields()
            headers[.contentType] = answer.contentType
            for header in answer.headers {
                if let name = HTTPFields.Element.Name(header.name) { headers[name] = header.value }
            }
            let body = request.method == .head ? ByteBuffer() : ByteBuffer(string: answer.body)
            return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: .init(byteBuffer: body))
        }
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: name),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
