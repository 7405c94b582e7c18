import Foundation

/// Source addresses allowed to post notifications: CIDR blocks of IPv4 and IPv6.
public struct IPAllowList: Sendable, Hashable, CustomStringConvertible {
    public struct Block: Sendable, Hashable, CustomStringConvertible {
        /// 4 bytes (IPv4) or 16 (IPv6).
        public var address: [UInt8]
        public var prefix: Int
        public var text: String

        /// Parses `a.b.c.d/n`, `a.b.c.d`, `::1/128`, `fe80::/10`.
        public init?(_ cidr: String) {
            let parts = cidr.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 1 || parts.count == 2, let bytes = IPAllowList.parse(String(parts[0])) else { return nil }
            let maxPrefix = bytes.count * 8
            let prefix: Int
            if parts.count == 2 {
                guard let p = Int(parts[1]), (0...maxPrefix).contains(p) else { return nil }
                prefix = p
            } else {
                prefix = maxPrefix
            }
            address = bytes
            self.prefix = prefix
            text = cidr.trimmingCharacters(in: .whitespaces)
        }

        public func contains(_ bytes: [UInt8]) -> Bool {
            guard bytes.count == address.count else { return false }
            var bits = prefix
            var i = 0
            while bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(0xFF) << UInt8(8 - bits)
                if bytes[i] & mask != address[i] & mask { return false }
                bits -= 8
                i += 1
            }
            return true
        }

        public var description: String { text }
    }

    /// Ozon's published source ranges (ozon-api.md §6.1).
    public static let ozonRanges = ["195.34.21.0/24", "185.73.192.0/22", "91.223.93.0/24"]
    /// Loopback, allowed by default for local use.
    public static let loopback = ["127.0.0.0/8", "::1/128"]

    public var blocks: [Block]

    public init(blocks: [Block]) { self.blocks = blocks }

    /// Parses CIDRs; nil names the first one that does not parse.
    public static func parse(_ cidrs: [String]) -> Result<IPAllowList, InvalidCIDR> {
        var blocks: [Block] = []
        for cidr in cidrs {
            guard let block = Block(cidr) else { return .failure(InvalidCIDR(text: cidr)) }
            blocks.append(block)
        }
        return .success(IPAllowList(blocks: blocks))
    }

    public struct InvalidCIDR: Error, Sendable, Hashable { public var text: String }

    /// Ozon's ranges plus loopback.
    public static var standard: IPAllowList {
        IPAllowList(blocks: (ozonRanges + loopback).compactMap(Block.init))
    }

    /// Whether the address (textual IPv4 or IPv6; IPv4-mapped IPv6 counts as IPv4) is allowed.
    public func allows(_ address: String?) -> Bool {
        guard let address, var bytes = IPAllowList.parse(address) else { return false }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12..<16])
        }
        return blocks.contains { $0.contains(bytes) }
    }

    public var description: String { blocks.map(\.text).joined(separator: ", ") }

    /// The bytes of a textual IPv4 or IPv6 address (a `%zone` is ignored).
    static func parse(_ text: String) -> [UInt8]? {
        var text = text
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
