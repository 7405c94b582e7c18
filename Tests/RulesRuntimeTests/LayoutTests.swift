import Foundation
import TestSupport
import Testing

/// The module layout the README describes, checked on the sources' imports: storage knows only
/// the domain, only the SQLite store touches GRDB, only the PostgreSQL store touches PostgresNIO, only
/// LuaKit touches the Lua C API.
@Suite("Module layout")
struct LayoutTests {
    /// Module name → the modules its Swift files import.
    static func imports() throws -> [String: Set<String>] {
        let sources = Repository.root.appendingPathComponent("Sources")
        var result: [String: Set<String>] = [:]
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            let folder = sources.appendingPathComponent(module)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            var imported: Set<String> = []
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    if let index = words.firstIndex(of: "import"), index + 1 < words.count,
                       words[..<index].allSatisfy({ $0.hasPrefix("@") }) {
                        imported.insert(String(words[index + 1]))
                    }
                }
            }
            result[module] = imported
        }
        return result
    }

    @Test("only the SQLite store imports GRDB")
    func grdb() throws {
        let users = try Self.imports().filter { $0.value.contains("GRDB") }.keys.sorted()
        #expect(users == ["SQLiteStore"])
    }

    @Test("only the PostgreSQL store imports PostgresNIO or PostgresKit")
    func postgres() throws {
        let users = try Self.imports().filter { !$0.value.isDisjoint(with: ["PostgresNIO", "PostgresKit"]) }.keys.sorted()
        #expect(users == ["PostgresStore"])
    }

    @Test("the store imports neither the rules engine, LuaKit nor the runtime")
    func storeIsStorageOnly() throws {
        let imports = try Self.imports()
        for module in ["PostingStore", "SQLiteStore", "PostgresStore"] {
            let bad = (imports[module] ?? []).intersection(["RulesEngine", "LuaKit", "CLua", "RulesRuntime", "OzonSellerAPI", "WebhookServer"])
            #expect(bad.isEmpty, "\(module) imports \(bad.sorted())")
        }
    }

    @Test("the packing document reads the store protocol only: no database, no engine, no Foundation I/O")
    func packingDocuments() throws {
        let imports = try #require(try Self.imports()["PackingDocuments"])
        #expect(imports.isSubset(of: ["PostingStore", "PostingModel", "Mustache"]), "\(imports.sorted())")
    }

    @Test("the seller's console reads the store protocol only: no database, no HTTP server, no engine")
    func sellerConsole() throws {
        let imports = try #require(try Self.imports()["SellerConsole"])
        #expect(imports.isSubset(of: ["PostingStore", "PostingModel", "PackingDocuments", "Mustache", "Foundation"]), "\(imports.sorted())")
        #expect(imports.isDisjoint(with: ["GRDB", "SQLiteStore", "PostgresStore", "PostgresNIO", "Hummingbird", "RulesEngine", "LuaKit"]))
    }

    @Test("the configuration file is read by its own module, which knows no store, rules or HTTP")
    func configuration() throws {
        let imports = try Self.imports()
        let config = try #require(imports["OzonRulesConfig"])
        #expect(config.isSubset(of: ["TOMLKit", "Foundation"]), "\(config.sorted())")
        #expect(imports.filter { $0.value.contains("TOMLKit") }.keys.sorted() == ["OzonRulesConfig"])
    }

    @Test("only LuaKit and its C shims touch the Lua C API")
    func luaCAPI() throws {
        let users = try Self.imports().filter { $0.value.contains("CLua") || $0.value.contains("CLuaShims") }.keys.sorted()
        #expect(users == ["LuaKit"])
    }

    @Test("the HTTP modules get JSON from its own target, and the server has no database")
    func httpModules() throws {
        let imports = try Self.imports()
        #expect(!(imports["FakeOzonAPI"] ?? []).contains("PostingModel"))
        #expect((imports["WebhookServer"] ?? []).isDisjoint(with: ["GRDB", "SQLiteStore", "PostgresStore", "PostgresNIO", "LuaKit", "RulesEngine"]))
        #expect((imports["RulesRuntime"] ?? []).isDisjoint(with: ["GRDB", "SQLiteStore", "PostgresStore", "PostgresNIO", "Hummingbird"]))
    }
}
