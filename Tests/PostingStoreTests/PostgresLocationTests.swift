import PostgresStore
import PostingStore
import Testing

@Suite("PostgreSQL URLs")
struct PostgresLocationTests {
    @Test("postgres:// and postgresql:// URLs give user, password, host, port and database")
    func parses() throws {
        let full = try PostgresLocation(url: "postgres://ozon:p%40ss@db.example:6432/shops")
        #expect(full == PostgresLocation(user: "ozon", password: "p@ss", host: "db.example", port: 6432, database: "shops"))
        let short = try PostgresLocation(url: "postgresql://ozon@127.0.0.1/ozon")
        #expect(short == PostgresLocation(user: "ozon", password: nil, host: "127.0.0.1", port: 5432, database: "ozon"))
        #expect(try PostgresLocation(url: "postgres://u@[::1]:5433/d").host == "::1")
        #expect(PostgresLocation.isURL("POSTGRES://u@h/d") && !PostgresLocation.isURL("shop.sqlite"))
    }

    @Test("it is shown without its password")
    func redacted() throws {
        let location = try PostgresLocation(url: "postgres://ozon:secret@127.0.0.1:5432/ozon")
        #expect(location.description == "postgres://ozon@127.0.0.1:5432/ozon")
        #expect(try PostgresLocation(url: "postgres://u@[::1]:5433/d").description == "postgres://u@[::1]:5433/d")
    }

    @Test("a URL without user, host or database, or with options, is refused without showing the password",
          arguments: ["postgres://127.0.0.1/ozon", "postgres://ozon:secret@127.0.0.1:5432/", "postgres://ozon:secret@/ozon",
                      "postgres://ozon:secret@127.0.0.1/ozon?sslmode=require"])
    func refused(_ url: String) {
        do {
            _ = try PostgresLocation(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.code == .database)
            #expect(!error.message.contains("secret"), "\(error.message)")
        }
    }
}
