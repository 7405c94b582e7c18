import ArgumentParser
import WebhookServer
import RulesRuntime
import SQLiteStore

extension StoreOptions {
    /// The store with the webhook inbox and API-call tables, created when missing;
    /// an error is reported and exits with code 2.
    func openLive() throws -> LiveStore {
        let store = try open(create: true)
        do {
            return try LiveStore(store: store)
        } catch {
            Diagnostics.write("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
    }
}
