/// The console's Mustache templates. `{{...}}` escapes for HTML; the only triple mustache is
/// the style sheet, a constant of this file.
enum ConsoleTemplates {
    static let all: [(name: String, text: String)] = [
        ("head", head), ("foot", foot), ("effects", effects), ("overview", overview), ("posting", posting),
        ("postingRows", postingRows), ("postings", postings), ("outbox", outbox), ("message", message),
    ]

    static let head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · ozon-rules</title>
        <link rel="icon" href="data:,">
        <style>{{{style}}}</style>
        </head>
        <body>
        <header class="top"><nav><a href="/">Overview</a><a href="/postings">Postings</a><a href="/pack">Pack</a><a href="/outbox">Outbox</a></nav>
        <span class="zone">Times in {{zone}}</span></header>
        <main>
        <h1>{{title}}</h1>

        """

    static let foot = """
        </main>
        <footer>ozon-rules seller's console · {{generatedAt}}</footer>
        </body>
        </html>

        """

    /// A table of effects, inside a section whose value holds `effects` (rows from `ConsoleRows.effect`).
    static let effects = """
        <table class="effects">
        <thead><tr><th>id</th><th>kind</th><th>subject</th><th>state</th><th class="q">attempts</th><th>planned</th><th>sent</th><th>finished</th><th>error</th></tr></thead>
        <tbody>
        {{#effects}}<tr class="state-{{state}}"><td class="q">{{id}}</td><td>{{kind}}</td><td class="mono">{{#postingNumber}}<a href="/postings/{{postingLink}}">{{subject}}</a>{{/postingNumber}}{{^postingNumber}}{{subject}}{{/postingNumber}}</td><td><span class="state">{{state}}</span></td><td class="q">{{attempts}}</td><td class="time">{{plannedAt}}</td><td class="time">{{sentAt}}</td><td class="time">{{finishedAt}}</td><td class="error">{{error}}</td></tr>
        {{/effects}}
        </tbody>
        </table>

        """

    static let overview = """
        {{> head}}
        <section id="statuses"><h2>Postings by status</h2>
        {{#statuses}}<a class="tile" href="/postings?status={{status}}"><span class="count">{{count}}</span><span class="label">{{status}}</span></a>{{/statuses}}
        {{^statuses}}<p class="empty">No postings stored yet.</p>{{/statuses}}
        </section>
        <section id="effect-states"><h2>Effects by state</h2>
        {{#effectStates}}<a class="tile state-{{state}}" href="/outbox?state={{state}}"><span class="count">{{count}}</span><span class="label">{{state}}</span></a>{{/effectStates}}
        {{^effectStates}}<p class="empty">No effects planned yet.</p>{{/effectStates}}
        </section>
        <section id="today-errors"><h2>Today's errors <span class="note">since {{todayStart}}</span></h2>
        {{#hasHookErrors}}<table class="errors"><thead><tr><th>at</th><th>posting</th><th>event</th><th>hook</th><th>error</th></tr></thead><tbody>
        {{#hookErrors}}<tr><td class="time">{{at}}</td><td class="mono"><a href="/postings/{{postingLink}}">{{postingNumber}}</a></td><td>{{event}}</td><td class="mono">{{hook}}</td><td class="error">{{error}}</td></tr>
        {{/hookErrors}}</tbody></table>{{/hasHookErrors}}
        {{#todayEffectTable}}<h3>Effects that failed or were refused today</h3>{{> effects}}{{/todayEffectTable}}
        {{^hasTodayErrors}}<p class="empty good">No errors today.</p>{{/hasTodayErrors}}
        </section>
        <section id="timers"><h2>Timers due in 24 h</h2>
        {{#hasTimers}}<table class="timers"><thead><tr><th>due</th><th>posting</th><th>timer</th><th>status</th></tr></thead><tbody>
        {{#timers}}<tr><td class="time">{{due}}</td><td class="mono"><a href="/postings/{{postingLink}}">{{postingNumber}}</a></td><td class="mono">{{name}}</td><td>{{status}}</td></tr>
        {{/timers}}</tbody></table>{{/hasTimers}}
        {{^timers}}<p class="empty">No timers due in the next 24 hours.</p>{{/timers}}
        </section>
        <section id="failed-effects"><h2>Failed effects <span class="note">newest first{{#failedMore}}, latest {{failedShown}} of {{failedTotal}}{{/failedMore}}</span></h2>
        {{#failedTable}}{{> effects}}{{/failedTable}}
        {{^failedTable}}<p class="empty good">No failed effects.</p>{{/failedTable}}
        </section>
        <section id="latest"><h2>Latest postings</h2>
        {{> postingRows}}
        </section>
        {{> foot}}
        """

    static let postingRows = """
        {{#hasLatest}}<table class="postings"><thead><tr><th>posting</th><th>status</th><th>substatus</th><th>updated</th></tr></thead><tbody>
        {{#latest}}<tr><td class="mono"><a href="/postings/{{postingLink}}">{{postingNumber}}</a></td><td><span class="status">{{status}}</span></td><td>{{substatus}}</td><td class="time">{{updatedAt}}</td></tr>
        {{/latest}}</tbody></table>{{/hasLatest}}
        {{^latest}}<p class="empty">No postings{{#status}} in {{status}}{{/status}}.</p>{{/latest}}

        """

    static let postings = """
        {{> head}}
        <form class="filters" method="get" action="/postings"><label>status <select name="status"><option value="">any</option>{{#choices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/choices}}</select></label> <button type="submit">Show</button></form>
        <p class="note">{{shown}} of {{total}} postings, latest updated first.</p>
        {{> postingRows}}
        {{> foot}}
        """

    static let posting = """
        {{> head}}
        <p class="facts"><span class="status">{{status}}</span>{{#substatus}} · {{substatus}}{{/substatus}}{{#updatedAt}} · updated {{updatedAt}}{{/updatedAt}} · <a href="/pack?posting={{postingLink}}">packing slip</a> · <a href="/outbox?posting={{postingLink}}">effects in the outbox</a></p>
        <section id="history"><h2>History</h2>
        {{#hasTransitions}}<table class="history"><thead><tr><th>at</th><th>from</th><th>to</th><th>source</th><th>rules</th></tr></thead><tbody>
        {{#transitions}}<tr><td class="time">{{at}}</td><td>{{from}}</td><td><span class="status">{{to}}</span></td><td>{{source}}</td><td class="mono">{{rules}}</td></tr>
        {{/transitions}}</tbody></table>{{/hasTransitions}}
        {{^transitions}}<p class="empty">No transitions recorded.</p>{{/transitions}}
        </section>
        <section id="decisions"><h2>Decisions</h2>
        {{#evaluations}}<div class="evaluation"><h3><span class="time">{{at}}</span> · {{event}}</h3>
        <table class="decisions"><tbody>
        {{#runs}}<tr{{#error}} class="failed"{{/error}}><td class="mono hook">{{hook}}</td><td>{{#error}}<span class="error">ERROR {{error}}</span>{{/error}}{{^error}}{{summary}}{{/error}}</td></tr>
        {{/runs}}{{^runs}}<tr><td colspan="2" class="empty">No hooks ran.</td></tr>{{/runs}}
        </tbody></table>
        {{#logCount}}<details><summary>rule log ({{logCount}} lines)</summary><pre>{{#log}}{{.}}
        {{/log}}</pre></details>{{/logCount}}
        </div>
        {{/evaluations}}
        {{^evaluations}}<p class="empty">Nothing recorded.</p>{{/evaluations}}
        </section>
        <section id="effects"><h2>Effects</h2>
        {{#effectTable}}{{> effects}}{{/effectTable}}
        {{^effectTable}}<p class="empty">No effects planned for this posting.</p>{{/effectTable}}
        </section>
        {{> foot}}
        """

    static let outbox = """
        {{> head}}
        <form class="filters" method="get" action="/outbox">
        {{#postingNumber}}<input type="hidden" name="posting" value="{{postingNumber}}">{{/postingNumber}}
        <fieldset><legend>state</legend>{{#stateChoices}}<label><input type="checkbox" name="state" value="{{value}}"{{#selected}} checked{{/selected}}> {{value}}</label>{{/stateChoices}}</fieldset>
        <fieldset><legend>kind</legend>{{#kindChoices}}<label><input type="checkbox" name="kind" value="{{value}}"{{#selected}} checked{{/selected}}> {{value}}</label>{{/kindChoices}}</fieldset>
        <label>limit <input type="number" name="limit" min="1" max="{{maxLimit}}" value="{{limit}}"></label> <button type="submit">Show</button>
        </form>
        <p class="note">{{shown}} of {{total}} matching effects{{#postingNumber}} of posting <span class="mono">{{postingNumber}}</span>{{/postingNumber}}, newest first.</p>
        {{#effectTable}}{{> effects}}{{/effectTable}}
        {{^effectTable}}<p class="empty">No effects match.</p>{{/effectTable}}
        {{> foot}}
        """

    /// A page that says one thing: not found, a bad query.
    static let message = """
        {{> head}}
        <p class="message">{{message}}</p>
        <p><a href="/">Back to the overview</a></p>
        {{> foot}}
        """

    static let style = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", sans-serif; font-size: 14px; color: #1b1f24; background: #f4f5f7; }
        .mono, .time, pre { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; }
        .time { white-space: nowrap; }
        header.top { display: flex; justify-content: space-between; align-items: center; gap: 1em; padding: 0.6em 1.5em; background: #1f3b73; color: #fff; }
        header.top nav a { color: #fff; text-decoration: none; margin-right: 1.2em; font-weight: bold; }
        header.top nav a:hover { text-decoration: underline; }
        .zone { font-size: 0.9em; opacity: 0.85; }
        main { padding: 0.5em 1.5em 2em; max-width: 1400px; }
        h1 { font-size: 1.6em; margin: 0.6em 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.15em; margin: 1.4em 0 0.5em; }
        h3 { font-size: 1em; margin: 0.8em 0 0.4em; }
        section { background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: 0.2em 1em 1em; margin: 1em 0; }
        .note { font-weight: normal; color: #5b6470; font-size: 0.9em; }
        .empty { color: #5b6470; }
        .good { color: #1d7a35; }
        a { color: #1f4fb8; }
        .tile { display: inline-flex; flex-direction: column; min-width: 9em; margin: 0 0.6em 0.6em 0; padding: 0.5em 0.8em; border: 1px solid #c9d1dc; border-radius: 6px; text-decoration: none; color: inherit; background: #f9fafb; }
        .tile .count { font-size: 1.5em; font-weight: bold; }
        .tile .label { color: #3c4550; }
        table { width: 100%; border-collapse: collapse; margin: 0.3em 0 0.6em; }
        th, td { text-align: left; vertical-align: top; padding: 0.3em 0.5em; border-bottom: 1px solid #e3e6ea; }
        th { background: #eef1f5; font-weight: bold; }
        td.q, th.q { text-align: right; }
        .error { color: #a4161a; overflow-wrap: anywhere; }
        tr.failed td { background: #fff1f1; }
        .state, .status { display: inline-block; padding: 0 0.4em; border-radius: 4px; background: #e8ecf2; white-space: nowrap; }
        .state-failed .state, .tile.state-failed { background: #fde2e2; }
        .state-not_allowed .state, .tile.state-not_allowed { background: #fdebd3; }
        .state-sent .state, .tile.state-sent { background: #dcf3e2; }
        .state-planned .state, .tile.state-planned { background: #e0e9fb; }
        .facts { color: #3c4550; }
        .evaluation { border-top: 1px solid #e3e6ea; }
        table.decisions { table-layout: fixed; }
        table.decisions td.hook { width: 18em; overflow-wrap: anywhere; }
        pre { background: #f6f8fa; padding: 0.5em; overflow-x: auto; }
        form.filters { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: flex-end; margin: 0.5em 0; }
        fieldset { border: 1px solid #d8dce2; border-radius: 6px; padding: 0.3em 0.6em; }
        fieldset label { margin-right: 0.8em; white-space: nowrap; }
        .message { font-size: 1.1em; overflow-wrap: anywhere; }
        footer { padding: 1em 1.5em; color: #5b6470; font-size: 0.85em; }
        @media print { header.top, form.filters { display: none; } body { background: #fff; } section { border: none; } }
        """
}
