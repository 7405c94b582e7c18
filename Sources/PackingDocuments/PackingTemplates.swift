/// The Mustache templates of the packing document. `{{...}}` escapes for HTML; the only triple
/// mustaches are the style, the script and the barcode SVG, all produced here.
enum PackingTemplates {
    static let document = """
        <!DOCTYPE html>
        <html lang="ru">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <script>{{{script}}}</script>
        <style>{{{style}}}</style>
        </head>
        <body>
        {{> pickList}}
        {{#slips}}{{> slip}}{{/slips}}
        {{#cards}}{{> card}}{{/cards}}
        </body>
        </html>

        """

    static let pickList = """
        <section class="part sheet pick-list" id="pick-list">
        <header class="heading"><h1>Pick list <span class="alt">Лист подбора · 拣货单</span></h1>
        <p class="meta">{{postingCount}} postings to pack · {{unitCount}} units · {{lineCount}} SKUs{{#generatedAt}} · {{generatedAt}}{{/generatedAt}}</p></header>
        {{#hasExcluded}}<p class="excluded">Not picked (DO NOT PACK): {{#excluded}}<span class="number">{{.}}</span> {{/excluded}}</p>{{/hasExcluded}}
        {{#hasUnknown}}<p class="excluded">Not in the store: {{#unknown}}<span class="number">{{.}}</span> {{/unknown}}</p>{{/hasUnknown}}
        <table class="picks">
        <thead><tr><th>bin</th><th>offer_id</th><th>name</th><th class="q">qty</th><th class="q">postings</th><th>✓</th></tr></thead>
        <tbody>
        {{#lines}}<tr><td class="bin">{{bin}}</td><td class="offer">{{offerID}}{{#image}}<div class="image-path">{{image}}</div>{{/image}}</td><td>{{name}}</td><td class="q">{{quantity}}</td><td class="q">{{postings}}</td><td class="tick">☐</td></tr>
        {{/lines}}
        {{^lines}}<tr><td colspan="6">Nothing to pick.</td></tr>{{/lines}}
        </tbody>
        </table>
        </section>

        """

    static let slip = """
        <section class="part sheet slip{{#stop}} stop{{/stop}}" id="slip-{{index}}" data-posting="{{postingNumber}}">
        <header class="slip-head">
        <div><h1 class="number">{{postingNumber}}</h1>
        <p class="meta">Packing slip · Упаковочный лист · 装箱单 · {{status}}{{#shipmentDate}} · ship by {{shipmentDate}}{{/shipmentDate}}</p>
        {{#carrier}}<p class="carrier">{{carrier}}{{#service}} · {{service}}{{/service}}{{#trackingNumber}} · {{trackingNumber}}{{/trackingNumber}}</p>{{/carrier}}</div>
        <div class="code">{{{barcode}}}</div>
        </header>
        {{#stop}}<div class="do-not-pack" role="alert"><div class="big">DO NOT PACK</div><div class="alt">НЕ УПАКОВЫВАТЬ · 请勿打包</div><ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul></div>{{/stop}}
        {{#packages}}<div class="package{{#fragile}} fragile{{/fragile}}">
        <h2>Package {{number}} of {{of}}: <span class="box">{{box}}</span>{{#weight}} · <span class="weight">{{weight}}</span>{{/weight}}{{#fragile}} <span class="fragile-mark">FRAGILE · ХРУПКОЕ · 易碎</span>{{/fragile}}{{#hasMaterials}} <span class="materials">{{#materials}}<span class="material">{{.}}</span> {{/materials}}</span>{{/hasMaterials}}</h2>
        <table class="items"><tbody>
        {{#items}}<tr><td class="offer">{{offerID}}</td><td>{{name}}{{#fragile}} <span class="fragile-item">fragile</span>{{/fragile}}</td><td class="q">× {{quantity}}</td><td class="tick">☐</td></tr>
        {{/items}}</tbody></table>
        </div>
        {{/packages}}
        {{#byHand}}<div class="package by-hand"><h2>No packaging decision: pack by hand</h2>
        <table class="items"><thead><tr><th>offer_id</th><th>name</th><th class="q">qty</th><th>✓</th></tr></thead><tbody>
        {{#products}}<tr><td class="offer">{{offerID}}</td><td>{{name}}</td><td class="q">{{quantity}}</td><td class="tick">☐</td></tr>
        {{/products}}</tbody></table></div>{{/byHand}}
        <div class="inserts"><h2>Put in <span class="alt">Вложить · 放入</span></h2>
        {{#inserts}}<p class="insert"><span class="kind">{{kind}}</span>{{#sku}} <span class="sku">SKU {{sku}}</span>{{/sku}}{{#text}} {{text}}{{/text}}</p>
        {{/inserts}}{{^inserts}}<p class="insert none">No inserts.</p>{{/inserts}}
        </div>
        </section>

        """

    static let card = """
        <section class="part card" id="card-{{index}}" data-posting="{{postingNumber}}">
        <p class="card-text">{{text}}</p>
        <p class="card-foot">{{postingNumber}}</p>
        </section>

        """

    /// Records page errors (scripts and resources that failed) on the root element, and shows a
    /// single part for `#only=<id>`, so a screenshot can take one part at a time.
    static let script = """
        (function () {
          var errors = [];
          window.addEventListener("error", function (e) {
            errors.push(String(e.message || (e.target && e.target.outerHTML) || "error"));
          }, true);
          document.addEventListener("DOMContentLoaded", function () {
            var only = /^#only=([A-Za-z0-9-]+)$/.exec(location.hash);
            if (only) {
              var part = document.getElementById(only[1]);
              document.body.classList.add("only");
              if (part) part.classList.add("shown"); else errors.push("no part " + only[1]);
            }
            var root = document.documentElement;
            root.setAttribute("data-pack-errors", errors.join(" | "));
            root.setAttribute("data-pack-ready", "yes");
          });
        })();
        """

    static let style = """
        @page { size: A4; margin: 10mm; }
        /* A6 in millimetres: Chromium does not know the A6 keyword. */
        @page card { size: 105mm 148mm; margin: 8mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif; font-size: 10.5pt; color: #111; background: #e5e5e5; }
        .number, .offer, .bin, .card-foot { font-family: "DejaVu Sans Mono", "Noto Sans Mono", "Noto Sans CJK SC", monospace; }
        h1 { font-size: 18pt; margin: 0 0 2mm; }
        h2 { font-size: 12pt; margin: 0 0 2mm; }
        .alt { font-weight: normal; color: #555; font-size: 0.8em; }
        .meta { margin: 0 0 2mm; color: #333; }
        .part { background: #fff; margin: 8mm auto; box-shadow: 0 1px 4px rgba(0,0,0,.25); break-after: page; }
        .part:last-child { break-after: auto; }
        .sheet { width: 210mm; min-height: 297mm; padding: 10mm; }
        .card { page: card; width: 105mm; height: 148mm; padding: 8mm; display: flex; flex-direction: column; justify-content: space-between; }
        body.only { background: #fff; }
        body.only .part { display: none; margin: 0; box-shadow: none; }
        body.only .part.shown { display: block; }
        body.only .card.shown { display: flex; }
        table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
        th, td { border: 0.3mm solid #999; padding: 1mm 1.6mm; text-align: left; vertical-align: top; }
        th { background: #eee; font-size: 9pt; }
        tr { break-inside: avoid; }
        .q { text-align: right; white-space: nowrap; }
        td.q { font-size: 13pt; font-weight: bold; }
        .tick { width: 8mm; text-align: center; font-size: 13pt; }
        .bin { font-weight: bold; white-space: nowrap; }
        .image-path { font-size: 7.5pt; color: #555; word-break: break-all; }
        .excluded { border: 0.6mm solid #b00; color: #b00; padding: 2mm; font-weight: bold; }
        .slip-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 4mm; border-bottom: 0.6mm solid #111; padding-bottom: 3mm; margin-bottom: 4mm; }
        .code { flex: none; }
        .barcode { display: block; }
        .carrier { font-weight: bold; margin: 0; }
        .package { border: 0.4mm solid #555; padding: 2mm 2.5mm 0; margin-bottom: 2.5mm; break-inside: avoid; }
        .package h2 { font-size: 11pt; }
        .package table { margin-bottom: 2mm; }
        .package.fragile { border: 0.8mm dashed #b00; }
        .fragile-mark { background: #b00; color: #fff; padding: 0.5mm 2mm; font-size: 10pt; }
        .fragile-item { color: #b00; font-weight: bold; font-size: 8.5pt; }
        .box { font-family: "DejaVu Sans Mono", monospace; }
        .weight { font-weight: normal; }
        .materials { font-weight: normal; font-size: 9pt; }
        .material { border: 0.3mm solid #777; padding: 0 1.5mm; margin-right: 1mm; }
        .inserts { border-top: 0.4mm solid #555; padding-top: 2mm; }
        .insert { margin: 0 0 2mm; }
        .kind { font-weight: bold; text-transform: uppercase; font-size: 9pt; margin-right: 1mm; }
        .do-not-pack { border: 1.5mm solid #c00; color: #c00; text-align: center; padding: 4mm; margin-bottom: 4mm; }
        .do-not-pack .big { font-size: 40pt; font-weight: bold; letter-spacing: 1mm; }
        .do-not-pack .alt { color: #c00; font-size: 16pt; }
        .do-not-pack ul { text-align: left; font-size: 11pt; margin: 2mm 0 0; }
        .slip.stop .package { opacity: 0.55; }
        .card-text { font-size: 12.5pt; line-height: 1.45; margin: 0; }
        .card-foot { font-size: 8pt; color: #666; text-align: right; margin: 0; }
        @media print {
          body { background: none; }
          .part { margin: 0; box-shadow: none; }
          .sheet { width: auto; min-height: 0; padding: 0; }
          .card { width: auto; height: 130mm; padding: 0; }
        }
        """
}
