import Foundation
import OzonRulesConfig
import TestSupport
import Testing

/// The configuration file (SPEC §8.2): its format, paths, flags over it, and errors that name
/// the file, the line and the key.
struct ConfigurationTests {
    static let example = """
        db = "postgres://ozon@127.0.0.1:5432/ozon"      # or a path to an SQLite file

        [shops.ceramics]
        rules = "rules/ceramics"
        credentials = "secrets/ceramics.env"            # OZON_CLIENT_ID=… / OZON_API_KEY=… lines

        [shops.gadgets]
        rules = "/srv/rules/gadgets"
        credentials = "secrets/gadgets.env"

        [[alerts]]
        format = "feishu"
        url = "https://open.feishu.cn/open-apis/bot/v2/hook/abc"

        [[alerts]]
        format = "json"
        url = "http://127.0.0.1:9/alerts"
        """

    @Test func readsTheSpecsExample() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("conf/ozon-rules.toml", Self.example)
        let config = try Configuration.load(path: file)
        #expect(config.db == "postgres://ozon@127.0.0.1:5432/ozon")
        #expect(config.shopNames == ["ceramics", "gadgets"])
        let base = URL(fileURLWithPath: folder.path("conf")).standardizedFileURL.path
        #expect(config.shop("ceramics")?.rules == base + "/rules/ceramics")
        #expect(config.shop("ceramics")?.credentials == base + "/secrets/ceramics.env")
        #expect(config.shop("gadgets")?.rules == "/srv/rules/gadgets")
        #expect(config.alerts.map(\.flag) == ["feishu=https://open.feishu.cn/open-apis/bot/v2/hook/abc", "json=http://127.0.0.1:9/alerts"])
        #expect(config.alerts.map(\.line) == [11, 15])
    }

    @Test func anSQLitePathIsRelativeToTheFilesFolder() throws {
        let config = try Configuration.parse("db = \"data/shop.sqlite\"\n", file: "/etc/ozon/ozon-rules.toml", folder: "/etc/ozon")
        #expect(config.db == "/etc/ozon/data/shop.sqlite")
        #expect(config.shops.isEmpty)
    }

    @Test func flagsOverrideTheFile() throws {
        let config = try Configuration.parse(Self.example, file: "/c/ozon-rules.toml", folder: "/c")
        #expect(Configuration.store(flag: "x.sqlite", environment: "y.sqlite", file: config) == "x.sqlite")
        #expect(Configuration.store(flag: nil, environment: "y.sqlite", file: config) == "y.sqlite")
        #expect(Configuration.store(flag: nil, environment: nil, file: config) == "postgres://ozon@127.0.0.1:5432/ozon")
        #expect(Configuration.store(flag: nil, environment: nil, file: nil) == nil)
        #expect(Configuration.alerts(flags: ["slack=https://hooks.slack.com/x"], file: config) == ["slack=https://hooks.slack.com/x"])
        #expect(Configuration.alerts(flags: [], file: config).count == 2)

        let one = try Configuration.shops(config, flags: FlagOverrides(shop: "gadgets", rules: "/mine", credentials: "/my.env"), all: false)
        #expect(one == [ShopSettings(shop: "gadgets", rules: "/mine", credentials: "/my.env")])
        let all = try Configuration.shops(config, flags: FlagOverrides(), all: true)
        #expect(all.map(\.shop) == ["ceramics", "gadgets"])
        #expect(all[0].rules == "/c/rules/ceramics")
        #expect(all[0].credentialsProblem?.description.contains("/c/secrets/ceramics.env") == true)
    }

    @Test func choosingAShop() throws {
        let config = try Configuration.parse(Self.example, file: "/c/ozon-rules.toml", folder: "/c")
        #expect(throws: ShopSelectionError.self) { try Configuration.shops(config, flags: FlagOverrides(), all: false) }
        do {
            _ = try Configuration.shops(config, flags: FlagOverrides(shop: "toys"), all: true)
            Issue.record("an unknown shop was accepted")
        } catch {
            #expect(error.description == "unknown shop 'toys' in /c/ozon-rules.toml; its shops: ceramics, gadgets")
        }
        // No file: the shop is `default`, or the one named.
        #expect(try Configuration.shops(nil, flags: FlagOverrides(), all: false).map(\.shop) == ["default"])
        #expect(try Configuration.shops(nil, flags: FlagOverrides(shop: "b"), all: false).map(\.shop) == ["b"])
        // One shop needs no --shop.
        let single = try Configuration.parse("[shops.only]\nrules = \"r\"\n", file: "/c/f.toml", folder: "/c")
        #expect(try Configuration.shops(single, flags: FlagOverrides(), all: false).map(\.shop) == ["only"])
    }

    @Test func badTOMLNamesTheFileAndLine() {
        let text = "db = \"a.sqlite\"\n\n[shops.a]\nrules = \"r\n"
        do {
            _ = try Configuration.parse(text, file: "/c/ozon-rules.toml", folder: "/c")
            Issue.record("bad TOML was accepted")
        } catch {
            #expect(error.file == "/c/ozon-rules.toml")
            #expect(error.line == 4)
            #expect(error.description.hasPrefix("/c/ozon-rules.toml:4: invalid TOML"))
        }
    }

    @Test func unknownKeysAreNamedWithTheirLine() {
        let cases: [(String, String)] = [
            ("db = \"a\"\nshop = 1\n", "/c/f.toml:2: shop: unknown key 'shop'"),
            ("[shops.a]\nrules = \"r\"\ncredential = \"x\"\n", "/c/f.toml:3: shops.a.credential: unknown key 'credential'"),
            ("[[alerts]]\nformat = \"slack\"\nurl = \"https://x\"\n[[alerts]]\nformat = \"json\"\nuri = \"https://y\"\n",
             "/c/f.toml:4: alerts.uri: unknown key 'uri'"),
            ("db = 5\n", "/c/f.toml:1: db: expected a non-empty string"),
            ("[shops.A]\nrules = \"r\"\n", "/c/f.toml:1: shops.A: bad shop name 'A'"),
            ("[shops.a]\nrules = 3\n", "/c/f.toml:2: shops.a.rules: expected a non-empty string"),
            ("[[alerts]]\nurl = \"https://x\"\n", "/c/f.toml:1: alerts.format: missing"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Configuration.parse(text, file: "/c/f.toml", folder: "/c")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test func aMissingCredentialsFileIsNamed() throws {
        let folder = try TemporaryFolder()
        try folder.write("secrets/a.env", "OZON_CLIENT_ID=1\nOZON_API_KEY=k\n")
        let file = try folder.write("ozon-rules.toml", """
            [shops.a]
            credentials = "secrets/a.env"

            [shops.b]
            rules = "rules/b"
            credentials = "secrets/b.env"
            """)
        let config = try Configuration.load(path: file)
        #expect(config.credentialsProblem(config.shop("a")!) == nil)
        let problem = try #require(config.credentialsProblem(config.shop("b")!))
        #expect(problem.description == "\(file):6: shops.b.credentials: the credentials file '\(folder.path("secrets/b.env"))' does not exist")
    }

    @Test func aMissingFileIsNamed() {
        do {
            _ = try Configuration.load(path: "/nonexistent/ozon-rules.toml")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.description == "/nonexistent/ozon-rules.toml: no such configuration file")
        }
    }
}
