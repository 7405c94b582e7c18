import PostingModel
import PostingStore

/// `/`: postings by status, effects by state, today's errors, timers due in 24 h, failed
/// effects and the latest postings.
enum OverviewPage {
    static let failedShown = 50
    static let latestShown = 15

    static func render(_ page: ConsolePage) async throws -> ConsoleResponse {
        let store = page.console.store
        let postings = try await ConsoleData.allPostings(store)
        var byStatus: [PostingStatus: Int] = [:]
        for posting in postings { byStatus[posting.status, default: 0] += 1 }
        let statuses = PostingStatus.allCases.compactMap { status in
            byStatus[status].map { ["status": status.rawValue, "count": String($0)] }
        }
        let effectCounts = try await store.effectCounts()
        let effectStates = EffectState.allCases.compactMap { state in
            effectCounts[state].map { ["state": state.rawValue, "count": String($0)] }
        }

        // "Today" is the seller's calendar day, not UTC's.
        let todayStart = page.console.time.startOfDay(containing: page.now)
        var hookErrors: [[String: Any]] = []
        try await store.forEachRecorded(postingNumber: nil, since: todayStart, limit: nil) { entry in
            for run in entry.hookRuns {
                guard let error = run.error else { continue }
                hookErrors.append([
                    "at": page.time(entry.at), "postingNumber": entry.postingNumber, "postingLink": ConsolePage.link(entry.postingNumber),
                    "event": ConsoleRows.event(entry), "hook": run.hook, "error": error.description,
                ])
            }
        }
        hookErrors.reverse()
        let refused = try await store.effects(EffectQuery(states: [.failed, .notAllowed]))
        let todayEffects = refused.filter { ($0.finishedAt ?? $0.plannedAt) >= todayStart }.reversed().map { ConsoleRows.effect($0, page) }

        let due = try await page.console.timers.timers(dueFrom: page.now, until: page.now.adding(seconds: 24 * 3600))
        let timers = due.sorted { ($0.due, $0.postingNumber, $0.name) < ($1.due, $1.postingNumber, $1.name) }.map { timer -> [String: Any] in
            ["due": page.time(timer.due), "postingNumber": timer.postingNumber, "postingLink": ConsolePage.link(timer.postingNumber),
             "name": timer.name, "status": timer.status]
        }

        let failed = refused.filter { $0.state == .failed }
        let failedRows = failed.suffix(failedShown).reversed().map { ConsoleRows.effect($0, page) }
        let latest = ConsoleData.latestFirst(postings).prefix(latestShown).map { ConsoleRows.posting($0, page) }

        return page.render("overview", title: "Overview", [
            "statuses": statuses, "effectStates": effectStates,
            "todayStart": page.time(todayStart),
            "hookErrors": hookErrors, "hasHookErrors": !hookErrors.isEmpty,
            "todayEffectTable": ConsolePage.table(Array(todayEffects)),
            "hasTodayErrors": !hookErrors.isEmpty || !todayEffects.isEmpty,
            "timers": timers, "hasTimers": !timers.isEmpty,
            "failedTable": ConsolePage.table(Array(failedRows)),
            "failedMore": failed.count > failedShown, "failedShown": String(failedRows.count), "failedTotal": String(failed.count),
            "latest": Array(latest), "hasLatest": !latest.isEmpty,
        ])
    }
}
