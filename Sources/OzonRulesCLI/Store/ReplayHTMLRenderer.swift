import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// The replay report as one self-contained HTML page: inline CSS, a small inline script, an
/// inline SVG chart of the carrier mix; nothing loaded from the network. Every text from the
/// store or the rules is escaped.
enum ReplayHTMLRenderer {
    static func render(_ report: ReplayReport, store: String, rules: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Replay: \(e(rules)) over \(e(store))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main id="report" data-ready="no">
            <h1>What the rules in <code>\(e(rules))</code> would have decided</h1>
            <p class="meta">Store <code>\(e(store))</code> · rules version <code title="\(e(report.rulesVersion))">\(e(String(report.rulesVersion.prefix(12))))</code>
            · \(report.transitions) transitions, \(report.returns) returns and \(report.timerFirings) timer firings replayed\(report.since.map { " since " + e($0.iso8601) } ?? "")</p>

            """
        html += summaryCards(report)
        html += hooksTable(report)
        html += carrierSection(report)
        html += examplesSection(report)
        html += affectedSection(report)
        if !report.skipped.isEmpty {
            html += "<section><h2>Not replayed</h2><ul>"
            for line in report.skipped { html += "<li>\(e(line))</li>" }
            html += "</ul></section>\n"
        }
        html += "</main>\n<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    // MARK: Sections

    static func summaryCards(_ report: ReplayReport) -> String {
        let change = report.carrier.costChange
        let tone = change > 0 ? "worse" : (change < 0 ? "better" : "same")
        return """
            <section class="cards">
            <div class="card"><div class="n" id="changed-count">\(report.changedDecisions)</div><div>decisions change</div></div>
            <div class="card"><div class="n">\(report.affectedPostings.count)</div><div>postings affected</div></div>
            <div class="card \(tone)"><div class="n">\(e(DecisionText.signedRoubles(change)))</div><div>carrier cost (\(e(DecisionText.roubles(report.carrier.costBefore))) → \(e(DecisionText.roubles(report.carrier.costAfter))))</div></div>
            </section>

            """
    }

    static func hooksTable(_ report: ReplayReport) -> String {
        var html = """
            <section><h2>Per hook</h2>
            <table id="hooks"><thead><tr><th>hook</th><th>compared</th><th>changed</th><th>reason text only</th><th>errors before</th><th>errors after</th><th>postings affected</th></tr></thead><tbody>

            """
        for hook in report.hooks {
            html += "<tr\(hook.changed > 0 ? " class=\"changed\"" : "")><td><code>\(e(hook.hook))</code></td>"
            html += "<td>\(hook.compared)</td><td>\(hook.changed)</td><td>\(hook.reasonOnly)</td>"
            html += "<td>\(hook.errorsBefore)</td><td>\(hook.errorsAfter)</td><td>\(hook.affectedPostings.count)</td></tr>\n"
        }
        if report.hooks.isEmpty { html += "<tr><td colspan=\"7\">Nothing recorded to replay.</td></tr>\n" }
        return html + "</tbody></table></section>\n"
    }

    static func carrierSection(_ report: ReplayReport) -> String {
        var html = "<section><h2>Carrier mix before and after</h2>\n"
        html += CarrierChart.svg(report.carrier.mix)
        html += "<p>Total carrier cost: \(e(DecisionText.roubles(report.carrier.costBefore))) → "
        html += "\(e(DecisionText.roubles(report.carrier.costAfter))) (<strong>\(e(DecisionText.signedRoubles(report.carrier.costChange)))</strong>).</p>\n"
        return html + "</section>\n"
    }

    static func examplesSection(_ report: ReplayReport) -> String {
        let hooks = report.hooks.filter { !$0.examples.isEmpty }
        guard !hooks.isEmpty else { return "<section><h2>Examples</h2><p>No decision changes.</p></section>\n" }
        var html = "<section><h2>Examples</h2>\n"
        for hook in hooks {
            html += "<h3><code>\(e(hook.hook))</code>: \(hook.changed) changed</h3>\n"
            html += "<table class=\"examples\"><thead><tr><th>posting</th><th>before</th><th>after</th></tr></thead><tbody>\n"
            for example in hook.examples {
                var who = "<code>\(e(example.postingNumber))</code>"
                if let id = example.returnID { who += "<br>return \(id)" }
                who += "<br><small>\(e(example.event))<br>\(e(example.at.iso8601))</small>"
                html += "<tr><td>\(who)</td><td>\(side(hook.hook, example.before))</td><td>\(side(hook.hook, example.after))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        return html + "</section>\n"
    }

    static func side(_ hook: String, _ outcome: ReplayOutcome) -> String {
        let summary = "<div class=\"summary\">\(e(DecisionText.summary(hook: hook, outcome)))</div>"
        switch outcome {
        case .none:
            return summary
        case .decision(let decision):
            return summary + "<details><summary>decision</summary><pre>\(e(JSONWriter.write(decision, sortedKeys: true, pretty: true)))</pre></details>"
        case .error:
            return "<div class=\"error\">" + summary + "</div>"
        }
    }

    static func affectedSection(_ report: ReplayReport) -> String {
        guard !report.affectedPostings.isEmpty else { return "" }
        var html = """
            <section><h2>Postings affected (\(report.affectedPostings.count))</h2>
            <input id="filter" type="search" placeholder="Filter posting numbers" aria-label="Filter posting numbers">
            <ul id="affected" class="postings">
            """
        for number in report.affectedPostings { html += "<li>\(e(number))</li>" }
        return html + "</ul></section>\n"
    }

    // MARK: Escaping, style, script

    /// HTML-escapes text for element content and quoted attribute values.
    static func e(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        main{max-width:1100px;margin:0 auto;padding:24px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}h3{font-size:15px;margin:18px 0 6px}
        .meta{color:#5b6475;margin:0 0 16px}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
        .cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:12px 16px;min-width:180px}
        .card .n{font-size:24px;font-weight:600}.card.worse .n{color:#b42318}.card.better .n{color:#067647}
        table{border-collapse:collapse;background:#fff;width:100%;border:1px solid #dde1e8}
        th,td{border-bottom:1px solid #eceff3;padding:6px 10px;text-align:left;vertical-align:top}
        th{background:#f0f2f5;font-weight:600}tr.changed td:first-child{border-left:3px solid #f79009}
        pre{white-space:pre-wrap;word-break:break-word;font-size:12px;margin:4px 0;max-height:320px;overflow:auto}
        .error{color:#b42318}.summary{font-weight:500}
        .postings{columns:4 180px;list-style:none;padding:0}.postings li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
        svg text{font:12px system-ui,sans-serif;fill:#1d2330}#filter{margin:0 0 8px;padding:4px 8px;width:260px}
        """

    /// Filters the affected postings; marks the report ready so a headless check can tell the
    /// script ran without errors.
    static let script = """
        (function () {
          var report = document.getElementById('report');
          var filter = document.getElementById('filter');
          var items = document.querySelectorAll('#affected li');
          if (filter) {
            filter.addEventListener('input', function () {
              var q = filter.value.trim();
              for (var i = 0; i < items.length; i++) {
                items[i].style.display = items[i].textContent.indexOf(q) === -1 ? 'none' : '';
              }
            });
          }
          report.setAttribute('data-bars', String(document.querySelectorAll('#carrier-mix rect.bar').length));
          report.setAttribute('data-ready', 'yes');
        })();
        """
}
