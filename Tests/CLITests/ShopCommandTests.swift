import Foundation
import TestSupport
import Testing

/// `--config` and `--shop` on the store commands (SPEC §8.2), in-process over real SQLite files.
struct ShopCommandTests {
    /// A configuration of two shops on one SQLite file (a relative path), both with the example rules.
    static func twoShops(_ folder: StoreTestFolder) throws -> String {
        try folder.write("ozon-rules.toml", """
            db = "shops.sqlite"

            [shops.ceramics]
            rules = "\(StoreCLI.exampleRules.path)"

            [shops.gadgets]
            rules = "\(StoreCLI.exampleRules.path)"
            """)
    }

    /// How many entries a `log --format json` lists.
    static func count(_ text: String) -> Int {
        guard let value = try? StoreCLI.json(text) else { return 0 }
        if case .array(let items) = value { return items.count }
        return 1
    }

    @Test func aMissingOrMalformedConfigurationIsExit2NamingTheFile() async throws {
        let folder = try StoreTestFolder()
        let missing = try await StoreCLI.run(["log", "--config", folder.path("nope.toml")])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("nope.toml: no such configuration file"))
        let bad = try folder.write("bad.toml", "db = \"x.sqlite\"\n[shops.a]\nrule = \"r\"\n")
        let malformed = try await StoreCLI.run(["outbox", "--config", bad])
        #expect(malformed.exitCode == 2)
        #expect(malformed.stderr.contains("bad.toml:3: shops.a.rule: unknown key 'rule'"), "\(malformed.stderr)")
    }

    @Test func eachShopHasItsOwnPostings() async throws {
        let folder = try StoreTestFolder()
        let config = try Self.twoShops(folder)
        let inputs = try StoreCLI.exampleInputs()
        // The rules come from the shop's `rules`; the store from the file's `db`, next to it.
        let ingested = try await StoreCLI.run(["ingest", "--config", config, "--shop", "ceramics", "--now", StoreCLI.now] + inputs)
        #expect(ingested.exitCode == 0 || ingested.exitCode == 1, "\(ingested.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("shops.sqlite")))
        let ceramics = try await StoreCLI.run(["log", "--config", config, "--shop", "ceramics", "--format", "json", "--limit", "100"])
        #expect(ceramics.exitCode == 0)
        #expect(Self.count(ceramics.stdout) > 0, "\(ceramics.stdout.prefix(200))")
        let gadgets = try await StoreCLI.run(["log", "--config", config, "--shop", "gadgets", "--format", "json"])
        #expect(gadgets.exitCode == 0)
        #expect(Self.count(gadgets.stdout) == 0, "\(gadgets.stdout)")

        // Several shops and no --shop: which one is asked for; an unknown one names the known.
        let unsaid = try await StoreCLI.run(["log", "--config", config])
        #expect(unsaid.exitCode == 2)
        #expect(unsaid.stderr.contains("has 2 shops; pass --shop NAME (one of ceramics, gadgets)"), "\(unsaid.stderr)")
        let unknown = try await StoreCLI.run(["outbox", "--config", config, "--shop", "toys"])
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("unknown shop 'toys'") && unknown.stderr.contains("its shops: ceramics, gadgets"))

        // Without the file, a store that holds one shop is that shop; --db overrides the file.
        let alone = try await StoreCLI.run(["log", "--db", folder.path("shops.sqlite"), "--format", "json", "--limit", "100"])
        #expect(alone.exitCode == 0)
        #expect(alone.stdout == ceramics.stdout)
        let elsewhere = try await StoreCLI.run(["log", "--config", config, "--shop", "ceramics", "--db", folder.db])
        #expect(elsewhere.exitCode == 2, "a store that does not exist: \(elsewhere.stderr)")
    }

    @Test func alertsOfTheFileNameTheirShop() async throws {
        let folder = try StoreTestFolder()
        let rules = folder.url.appendingPathComponent("rules")
        try FileManager.default.copyItem(at: StoreCLI.exampleRules, to: rules)
        try Data("""
            return {
              ["*"] = function(posting, ctx)
                return { { action = "alert", level = "warning", text = "moved: " .. posting.posting_number } }
              end,
            }
            """.utf8).write(to: rules.appendingPathComponent("transitions.lua"))
        let config = try folder.write("ozon-rules.toml", """
            [shops.ceramics]
            rules = "rules"

            [[alerts]]
            format = "json"
            url = "http://127.0.0.1:9/alerts"
            """)
        let db = folder.path("alerts.sqlite")
        let posting = try folder.write("posting.json", storeTestPosting("7-1", status: "awaiting_packaging"))
        let ingested = try await StoreCLI.run(["ingest", "--config", config, "--db", db, "--now", StoreCLI.now, posting])
        #expect(ingested.exitCode == 0, "\(ingested.stderr)")
        let moved = try await StoreCLI.run(["transition", "7-1", "--to", "awaiting_deliver", "--plan", "--config", config, "--db", db])
        #expect(moved.exitCode == 0, "\(moved.stderr)")
        let outbox = try await StoreCLI.run(["outbox", "--config", config, "--db", db, "--kind", "alert", "--format", "json"])
        #expect(outbox.exitCode == 0, "\(outbox.stderr)")
        guard case .array(let effects) = try StoreCLI.json(outbox.stdout) else {
            Issue.record("outbox --format json is not an array: \(outbox.stdout)")
            return
        }
        #expect(effects.count == 1, "the planned transition's alert (ingest plans nothing)")
        #expect(effects.allSatisfy { $0["request"]?["shop"]?.stringValue == "ceramics" }, "\(outbox.stdout)")
    }
}
