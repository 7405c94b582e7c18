import Foundation
import Hummingbird
import JSON
import Logging
import NIOCore
import ServiceLifecycle

/// Fakes of the chat services' bots that take the seller's alerts, on loopback: Feishu/Lark
/// (`/feishu`), DingTalk (`/dingtalk`), WeCom (`/wecom`), Telegram (`/telegram/sendMessage`),
/// Slack (`/slack`) and a plain JSON receiver (`/json`). Each answers as its service documents
/// (Feishu `{"code":0,"msg":"success"}`, DingTalk and WeCom `{"errcode":0,"errmsg":"ok"}`,
/// Telegram `{"ok":true,"result":{…}}`, Slack the text `ok`), keeps every body it received, and
/// can be told to answer the next request on a path with something else.
public final class FakeAlertChannels: @unchecked Sendable {
    public struct Received: Sendable {
        public var path: String
        public var body: JSONValue
    }

    /// A canned answer: HTTP status, headers and body text.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String
        public init(status: Int, headers: [(String, String)] = [], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    private let lock = NSLock()
    private var received: [Received] = []
    private var scripted: [String: [Answer]] = [:]
    private var server: LoopbackServer?
    public private(set) var port = 0

    public init() {}

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static let paths = ["/feishu", "/dingtalk", "/wecom", "/telegram/sendMessage", "/slack", "/json"]

    /// What each path received, in order.
    public func bodies(_ path: String) -> [JSONValue] {
        lock.withLock { received.filter { $0.path == path }.map(\.body) }
    }

    /// The next requests on `path` get these answers instead of the documented success.
    public func answer(_ path: String, with answers: [Answer]) {
        lock.withLock { scripted[path, default: []] += answers }
    }

    static func success(_ path: String) -> Answer {
        switch path {
        case "/feishu": return Answer(status: 200, body: #"{"code":0,"data":{},"msg":"success"}"#)
        case "/dingtalk", "/wecom": return Answer(status: 200, body: #"{"errcode":0,"errmsg":"ok"}"#)
        case "/telegram/sendMessage":
            return Answer(status: 200, body: #"{"ok":true,"result":{"message_id":1,"chat":{"id":-100},"date":1779278400,"text":""}}"#)
        case "/slack": return Answer(status: 200, body: "ok")
        default: return Answer(status: 200, body: "{}")
        }
    }

    public func start() async throws {
        let router = Router()
        for path in FakeAlertChannels.paths {
            router.post(RouterPath(path)) { [self] request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                let body = (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null
                let answer: Answer = lock.withLock {
                    received.append(Received(path: path, body: body))
                    if var queue = scripted[path], !queue.isEmpty {
                        let next = queue.removeFirst()
                        scripted[path] = queue
                        return next
                    }
                    return FakeAlertChannels.success(path)
                }
                var headers = HTTPFields()
                headers[.contentType] = path == "/slack" ? "text/plain" : "application/json"
                for (name, value) in answer.headers { headers[.init(name)!] = value }
                return Response(status: .init(code: answer.status), headers: headers,
                                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
            }
        }
        let server = await LoopbackServer.start(router, label: "fake-alerts")
        lock.withLock { self.server = server }
        port = server.port
    }

    public func stop() async {
        await lock.withLock { server }?.stop()
    }
}
