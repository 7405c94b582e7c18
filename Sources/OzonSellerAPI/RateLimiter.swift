import Foundation

/// A rate: `count` requests per `seconds`.
public struct RateLimit: Sendable, Hashable {
    public var count: Double
    public var seconds: Double

    public init(count: Double, per seconds: Double) {
        self.count = count
        self.seconds = seconds
    }

    public static func perSecond(_ n: Double) -> RateLimit { RateLimit(count: n, per: 1) }
    public static func perMinute(_ n: Double) -> RateLimit { RateLimit(count: n, per: 60) }

    var tokensPerSecond: Double { count / seconds }
}

/// Token buckets: one for the whole Client-Id (50 requests/s, ozon-api.md §1.4) and one per
/// method that has a tighter limit. `acquire(path:)` waits until both buckets hold a token.
/// Reservations are taken in call order, so waiting callers are served fairly.
public actor RateLimiter {
    struct Bucket {
        var limit: RateLimit
        var tokens: Double
        var updated: Double

        init(_ limit: RateLimit, now: Double) {
            self.limit = limit
            self.tokens = limit.count
            self.updated = now
        }

        /// Takes one token (possibly going negative) and says how long to wait for it.
        mutating func reserve(now: Double) -> Double {
            tokens = min(limit.count, tokens + (now - updated) * limit.tokensPerSecond)
            updated = now
            tokens -= 1
            return tokens >= 0 ? 0 : -tokens / limit.tokensPerSecond
        }
    }

    /// Ozon's per-method limits known from the docs (§1.4). Override in `init`.
    public static let documentedMethodLimits: [String: RateLimit] = [
        "/v1/warehouse/list": .perMinute(1),
        "/v2/products/stocks": .perMinute(80),
        "/v1/product/placement-zone/info": .perSecond(10),
    ]

    private var global: Bucket
    private var methods: [String: Bucket] = [:]
    private let methodLimits: [String: RateLimit]
    private let clock: @Sendable () -> Double

    public init(
        perClient: RateLimit = .perSecond(50),
        methodLimits: [String: RateLimit] = RateLimiter.documentedMethodLimits,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSinceReferenceDate }
    ) {
        self.clock = clock
        self.global = Bucket(perClient, now: clock())
        self.methodLimits = methodLimits
    }

    /// The delay before a request to `path` may go, reserving its tokens.
    public func reserve(path: String) -> Double {
        let now = clock()
        var wait = global.reserve(now: now)
        if let limit = methodLimits[path] {
            var bucket = methods[path] ?? Bucket(limit, now: now)
            wait = max(wait, bucket.reserve(now: now))
            methods[path] = bucket
        }
        return wait
    }

    /// Waits until a request to `path` may go.
    public nonisolated func acquire(path: String) async throws {
        let wait = await reserve(path: path)
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
    }
}
