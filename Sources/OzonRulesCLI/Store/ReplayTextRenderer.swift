import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// The replay report as aligned text for a terminal.
enum ReplayTextRenderer {
    static func render(_ report: ReplayReport, store: String, rules: String, affectedShown: Int = 20) -> String {
        var text = "replay of \(report.transitions) transition\(report.transitions == 1 ? "" : "s")"
        text += report.timerFirings > 0 ? ", " : " and "
        text += "\(report.returns) return\(report.returns == 1 ? "" : "s")"
        if report.timerFirings > 0 { text += " and \(report.timerFirings) timer firing\(report.timerFirings == 1 ? "" : "s")" }
        text += " from \(store)"
        if let since = report.since { text += " since \(since.iso8601)" }
        text += " with the rules in \(rules) (\(String(report.rulesVersion.prefix(12))))\n\n"

        var hooks = TextTable(header: ["HOOK", "COMPARED", "CHANGED", "REASON ONLY", "ERRORS BEFORE", "ERRORS AFTER", "POSTINGS"], keep: 7)
        for hook in report.hooks {
            hooks.append([
                hook.hook, String(hook.compared), String(hook.changed), String(hook.reasonOnly),
                String(hook.errorsBefore), String(hook.errorsAfter), String(hook.affectedPostings.count),
            ])
        }
        text += hooks.render() + "\n"

        let affected = report.affectedPostings
        text += "postings affected: \(affected.count)"
        if !affected.isEmpty {
            text += " (" + affected.prefix(affectedShown).joined(separator: ", ")
            text += affected.count > affectedShown ? ", …)" : ")"
        }
        text += "\n"
        let carrier = report.carrier
        text += "carrier cost: \(DecisionText.roubles(carrier.costBefore)) → \(DecisionText.roubles(carrier.costAfter))"
        text += " (\(DecisionText.signedRoubles(carrier.costChange)))\n"
        if !carrier.mix.isEmpty {
            var mix = TextTable(header: ["CARRIER", "BEFORE", "AFTER", "CHANGE"], keep: 4)
            for share in carrier.mix {
                let delta = share.after - share.before
                mix.append([share.label, String(share.before), String(share.after), delta > 0 ? "+\(delta)" : String(delta)])
            }
            text += "\n" + mix.render()
        }
        let examples = report.hooks.flatMap { hook in hook.examples.map { (hook.hook, $0) } }
        if !examples.isEmpty {
            text += "\nexamples:\n"
            for (hook, example) in examples {
                text += "  \(hook)  \(example.postingNumber)"
                if let id = example.returnID { text += " return \(id)" }
                text += "  \(example.event)  \(example.at.iso8601)\n"
                text += "    before: \(DecisionText.summary(hook: hook, example.before))\n"
                text += "    after:  \(DecisionText.summary(hook: hook, example.after))\n"
            }
        }
        for skipped in report.skipped { text += "skipped: \(skipped)\n" }
        return text
    }
}
