import PostingModel

/// Where the seller's own team is told things (SPEC §7.3): a chat service's bot or webhook.
public enum AlertFormat: String, Sendable, Hashable, CaseIterable {
    /// Feishu/Lark custom group bot.
    case feishu
    /// DingTalk custom robot.
    case dingtalk
    /// WeCom (企业微信) group robot.
    case wecom
    /// Telegram Bot API `sendMessage`.
    case telegram
    /// Slack incoming webhook.
    case slack
    /// A plain POST of `{level, text, posting_number, shop, at}`.
    case json
}

/// How urgent an alert is.
public enum AlertLevel: String, Sendable, Hashable, CaseIterable {
    case info, warning, urgent
}

/// One configured channel. The URL carries the bot's secret (a token or a key), so it is never
/// stored with an effect or printed: effects name the channel (`feishu#1`), and the URL is
/// looked up when the alert is sent.
public struct AlertChannel: Sendable, Hashable, CustomStringConvertible {
    public var format: AlertFormat
    public var url: String
    /// Telegram's `chat_id`, given as the URL's `chat_id` query parameter.
    public var chatID: String?
    /// `<format>#<n>`: the n-th channel of its format, counting from 1 in the order configured.
    public var name: String
    /// The shop whose alerts it carries (SPEC §8.2), named in the `json` body; nil without shops.
    public var shop: String? = nil

    /// Parses `FORMAT=URL` (`--alert`); for Telegram the URL is the bot's `sendMessage` URL with
    /// `?chat_id=…`.
    public static func parse(_ text: String, index: Int) throws(AlertChannelError) -> AlertChannel {
        guard let equals = text.firstIndex(of: "=") else {
            throw AlertChannelError("'\(text)': expected FORMAT=URL with FORMAT one of \(AlertFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let formatText = String(text[..<equals]).lowercased()
        var url = String(text[text.index(after: equals)...])
        guard let format = AlertFormat(rawValue: formatText) else {
            throw AlertChannelError("unknown alert format '\(formatText)' (one of \(AlertFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw AlertChannelError("\(format.rawValue): the URL must start with https:// or http://")
        }
        var chatID: String?
        if format == .telegram {
            guard let query = url.firstIndex(of: "?"),
                  let pair = url[url.index(after: query)...].split(separator: "&").first(where: { $0.hasPrefix("chat_id=") }) else {
                throw AlertChannelError("telegram: the URL needs ?chat_id=… (the group or user to write to)")
            }
            chatID = String(pair.dropFirst("chat_id=".count))
            url = String(url[..<query])
        }
        return AlertChannel(format: format, url: url, chatID: chatID, name: "\(format.rawValue)#\(index)")
    }

    public init(format: AlertFormat, url: String, chatID: String? = nil, name: String) {
        self.format = format
        self.url = url
        self.chatID = chatID
        self.name = name
    }

    /// Channels from `--alert` values, named in order per format.
    public static func parse(_ values: [String]) throws(AlertChannelError) -> [AlertChannel] {
        var counts: [AlertFormat: Int] = [:]
        var channels: [AlertChannel] = []
        for value in values {
            let format = AlertFormat(rawValue: value.split(separator: "=").first.map { String($0).lowercased() } ?? "")
            let index = (format.map { counts[$0, default: 0] } ?? 0) + 1
            let channel = try parse(value, index: index)
            counts[channel.format] = index
            channels.append(channel)
        }
        return channels
    }

    /// The channel without its secret.
    public var description: String { name }

    /// The request body the service documents, for one alert.
    public func body(level: AlertLevel, text: String, postingNumber: String?, shop: String?, at: Timestamp) -> JSONValue {
        let line = AlertChannel.line(level: level, text: text)
        switch format {
        case .feishu:
            // open.feishu.cn custom bot: {"msg_type":"text","content":{"text":...}}
            return ["msg_type": "text", "content": ["text": .string(line)]]
        case .dingtalk, .wecom:
            // DingTalk robot and WeCom group robot: {"msgtype":"text","text":{"content":...}}
            return ["msgtype": "text", "text": ["content": .string(line)]]
        case .telegram:
            return ["chat_id": .string(chatID ?? ""), "text": .string(line)]
        case .slack:
            return ["text": .string(line)]
        case .json:
            return ["level": .string(level.rawValue), "text": .string(text),
                    "posting_number": postingNumber.map(JSONValue.string) ?? .null, "shop": shop.map(JSONValue.string) ?? .null,
                    "at": .string(at.iso8601)]
        }
    }

    /// `[URGENT] text`: the level in words every chat shows the same way.
    static func line(level: AlertLevel, text: String) -> String {
        switch level {
        case .info: return text
        case .warning: return "[WARNING] " + text
        case .urgent: return "[URGENT] " + text
        }
    }
}

/// A channel that cannot be configured as given.
public struct AlertChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
