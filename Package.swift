// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ozon-rules",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ozon-rules", targets: ["ozon-rules"]),
        .library(name: "LuaKit", targets: ["LuaKit"]),
        .library(name: "PostingModel", targets: ["PostingModel"]),
        .library(name: "RulesEngine", targets: ["RulesEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The system Lua 5.4 library (Debian: liblua5.4-dev), found through pkg-config.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // Everything that may longjmp lives in C: error trampoline, message handler,
        // count hook, capped allocator and the interruptible pattern matcher.
        .target(name: "CLuaShims", dependencies: ["CLua"]),
        // The only Swift module that touches the Lua C API.
        .target(name: "LuaKit", dependencies: ["CLua", "CLuaShims"]),
        // JSON values, a strict parser with positions, a writer: no domain knowledge.
        .target(name: "JSON"),
        // Runs other programs (Chromium, qpdf, the tests' tools) without holding a thread of
        // Swift's cooperative pool while they run.
        .target(name: "ExternalPrograms"),
        // Pure values: postings, returns, money, statuses, transitions, time, input decoding.
        .target(name: "PostingModel", dependencies: ["JSON"]),
        // Loads a rules directory, bridges postings to Lua, runs hooks, validates decisions.
        .target(
            name: "RulesEngine",
            dependencies: ["LuaKit", "PostingModel", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // Storage only: postings, transitions, hook runs, returns, rules versions, the inbox and the
        // outbox, behind an async protocol. Knows the domain and nothing else.
        .target(name: "PostingStore", dependencies: ["PostingModel"]),
        // The embedded store: one SQLite file (GRDB, WAL). The only module that imports GRDB.
        .target(
            name: "SQLiteStore",
            dependencies: ["PostingStore", "PostingModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The shared store: PostgreSQL through postgres-nio's connection pool. The only module that
        // imports PostgresNIO.
        .target(
            name: "PostgresStore",
            dependencies: [
                "PostingStore", "PostingModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Every use case: evaluate, check, ingest, transition, replay, the inbox worker, sync, and
        // planning what to send. The CLI and the servers are thin shells over it.
        .target(
            name: "RulesRuntime",
            dependencies: [
                "RulesEngine", "LuaKit", "PostingModel", "PostingStore", "OzonSellerAPI", "AlertChannels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // `ozon-rules test`: Lua policy tests with coverage.
        .target(name: "RulesTester", dependencies: ["RulesEngine", "LuaKit", "PostingModel"]),
        // Writing rules: `init` (templates per language), editor definitions, luacheck.
        .target(
            name: "RulesAuthoring",
            dependencies: ["RulesEngine", "RulesTester", "LuaKit", "JSON"],
            resources: [.copy("Templates")]
        ),
        // The packing station's document: pick list, packing slips, thank-you cards, Code 128
        // barcodes, as print-ready HTML from stored postings and decisions. No database, no I/O.
        .target(
            name: "PackingDocuments",
            dependencies: ["PostingStore", "PostingModel", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // The seller's console (`serve --admin-listen`): overview, packing batch, postings and
        // outbox as server-rendered HTML, read through the store protocol. No HTTP, no database.
        .target(
            name: "SellerConsole",
            dependencies: ["PostingStore", "PostingModel", "PackingDocuments", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // The configuration file (`ozon-rules.toml`, SPEC §8.2): the store, the shops and the alert
        // channels. Knows no store, no rules and no HTTP: it only reads and checks the file.
        .target(name: "OzonRulesConfig", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        // BSD libedit (Debian: libedit-dev), for the REPL's line editing and history.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // `ozon-rules repl`: an interactive prompt in the sandbox.
        .target(name: "RulesREPL", dependencies: ["RulesEngine", "LuaKit", "PostingModel", "CEditLine"]),
        // The command-line commands, as a library so they can be tested in-process.
        .target(
            name: "OzonRulesCLI",
            dependencies: [
                "RulesEngine", "PostingModel", "PostingStore", "SQLiteStore", "PostgresStore", "RulesRuntime", "RulesTester", "RulesREPL", "WebhookServer",
                "RulesAuthoring",
                "OzonSellerAPI", "AlertChannels",
                "PackingDocuments", "SellerConsole", "OzonRulesConfig", "ExternalPrograms",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "ozon-rules", dependencies: ["OzonRulesCLI"]),
        // The Ozon Seller API client: credentials, rate limits, retries, Ozon's error body.
        .target(
            name: "OzonSellerAPI",
            dependencies: [
                "PostingModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The seller's own alert channels: Feishu/Lark, DingTalk, WeCom, Telegram, Slack, plain JSON.
        .target(
            name: "AlertChannels",
            dependencies: [
                "PostingModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // `ozon-rules serve` and `sync`: the push endpoint, the durable inbox, the worker that carries decisions out,
        // and the seller's console on its own listener.
        .target(
            name: "WebhookServer",
            dependencies: [
                "OzonSellerAPI", "PostingModel", "PostingStore", "SQLiteStore", "RulesRuntime", "SellerConsole",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test support only: a fake Seller API on loopback.
        .target(
            name: "FakeOzonAPI",
            dependencies: [
                "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The fake Seller API as a process, for load and crash scripts.
        .executableTarget(
            name: "ozon-fake-api",
            dependencies: ["FakeOzonAPI", "JSON", .product(name: "UnixSignals", package: "swift-service-lifecycle")]
        ),
        // Microbenchmark: one protected call from Swift vs the same loop inside lua5.4.
        .executableTarget(name: "luakit-bench", dependencies: ["LuaKit"]),

        // Shared by the test targets: the repository's paths and the built binary's locator.
        .target(name: "TestSupport", dependencies: ["ExternalPrograms"], path: "Tests/TestSupport"),

        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PostingModelTests", dependencies: ["PostingModel"]),
        .testTarget(name: "RulesEngineTests", dependencies: ["RulesEngine", "PostingModel", "LuaKit", "TestSupport"]),
        // The store protocol's conformance suite, run against every backend, and the SQLite schema.
        .testTarget(
            name: "PostingStoreTests",
            dependencies: [
                "PostingStore", "SQLiteStore", "PostgresStore", "PostingModel", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The tests' own connections: making a database per test, holding a row lock.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The use cases: ingest, transitions, replay, crash safety.
        .testTarget(
            name: "RulesRuntimeTests",
            dependencies: [
                "RulesRuntime", "PostingStore", "SQLiteStore", "RulesEngine", "PostingModel", "JSON", "TestSupport", "ExternalPrograms",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "RulesTesterTests", dependencies: ["RulesTester", "RulesEngine", "PostingModel", "TestSupport", "ExternalPrograms"], exclude: ["Fixtures"]),
        .testTarget(name: "RulesAuthoringTests", dependencies: ["RulesAuthoring", "RulesEngine", "RulesTester", "PostingModel", "TestSupport"]),
        .testTarget(name: "RulesREPLTests", dependencies: ["RulesREPL", "RulesEngine", "PostingModel", "TestSupport"]),
        .testTarget(name: "OzonSellerAPITests", dependencies: ["OzonSellerAPI", "FakeOzonAPI", "PostingModel", "TestSupport", "ExternalPrograms"]),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: [
                "WebhookServer", "OzonSellerAPI", "FakeOzonAPI", "PostingStore", "SQLiteStore", "RulesRuntime", "PostingModel",
                "RulesEngine", "LuaKit", "TestSupport", "ExternalPrograms", "AlertChannels", "SellerConsole", "PostgresStore",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "OzonRulesConfigTests", dependencies: ["OzonRulesConfig", "TestSupport"]),
        .testTarget(name: "PackingDocumentsTests", dependencies: ["PackingDocuments", "PostingStore", "PostingModel"]),
        .testTarget(name: "CLITests", dependencies: ["OzonRulesCLI", "PostingModel", "PostingStore", "SQLiteStore", "PostgresStore", "TestSupport", "ExternalPrograms", "PackingDocuments"], exclude: ["Fixtures", "Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
