import AsyncHTTPClient
import Foundation
import NIOCore
import PostingModel

/// How a channel answered one alert.
public enum AlertDelivery: Sendable, Hashable {
    case delivered(String)
    /// Refused for now (rate limited, the service down): try again, after `retryAfter` seconds
    /// when the service says.
    case retry(String, retryAfter: Double?)
    /// Refused for good (a wrong key, a malformed body): retrying will not help.
    case refused(String)
    /// No answer (a timeout, a dropped connection): it may have arrived.
    case unknown(String)
}

/// Posts alerts to the channels, reading each service's documented answer: Feishu
/// `{"code":0}`, DingTalk and WeCom `{"errcode":0}`, Telegram `{"ok":true}` (429 with
/// `parameters.retry_after`), Slack `ok`, and any 2xx for `json`.
public final class AlertSender: Sendable {
    public let channels: [AlertChannel]
    let http: HTTPClient
    let timeoutSeconds: Double

    public init(channels: [AlertChannel], timeoutSeconds: Double = 10) {
        self.channels = channels
        self.timeoutSeconds = timeoutSeconds
        // The process-wide client: nothing to shut down.
        http = HTTPClient.shared
    }

    public func channel(named name: String) -> AlertChannel? { channels.first { $0.name == name } }

    /// Sends `body` (built by `AlertChannel.body`) to the channel.
    public func send(_ body: JSONValue, to channel: AlertChannel) async -> AlertDelivery {
        var request = HTTPClientRequest(url: channel.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: JSONWriter.write(body)))
        let status: Int
        let text: String
        let retryAfterHeader: Double?
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            status = Int(response.status.code)
            retryAfterHeader = response.headers.first(name: "Retry-After").flatMap(Double.init)
            text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            return .unknown("\(channel.name): \(error)")
        }
        return AlertSender.reading(status: status, text: text, retryAfter: retryAfterHeader, channel: channel)
    }

    /// What a channel's answer means.
    static func reading(status: Int, text: String, retryAfter: Double?, channel: AlertChannel) -> AlertDelivery {
        let answer = try? JSONParser.parse(text)
        let shown = "\(channel.name): HTTP \(status): \(text.prefix(300))"
        if status == 429 {
            return .retry(shown, retryAfter: answer?["parameters"]?["retry_after"]?.doubleValue ?? retryAfter)
        }
        if status >= 500 { return .retry(shown, retryAfter: retryAfter) }
        guard (200..<300).contains(status) else { return .refused(shown) }
        switch channel.format {
        case .feishu:
            // Feishu answers HTTP 200 with a non-zero code on errors; 9499 and 11232 are its rate limits.
            let code = answer?["code"]?.int64Value ?? answer?["StatusCode"]?.int64Value ?? -1
            if code == 0 { return .delivered(text) }
            return code == 9499 || code == 11232 ? .retry(shown, retryAfter: nil) : .refused(shown)
        case .dingtalk, .wecom:
            // 130101 (DingTalk) and 45009 (WeCom) are their "too many messages" codes.
            let code = answer?["errcode"]?.int64Value ?? -1
            if code == 0 { return .delivered(text) }
            return code == 130101 || code == 45009 ? .retry(shown, retryAfter: nil) : .refused(shown)
        case .telegram:
            return answer?["ok"]?.boolValue == true ? .delivered(text) : .refused(shown)
        case .slack:
            return text.trimmingCharacters(in: .whitespacesAndNewlines) == "ok" ? .delivered(text) : .refused(shown)
        case .json:
            return .delivered(text)
        }
    }
}
