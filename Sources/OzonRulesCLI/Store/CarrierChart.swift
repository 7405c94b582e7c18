import PostingStore
import RulesRuntime
import SQLiteStore

/// An inline SVG bar chart of the carrier mix: per option, a bar for before and one for after.
enum CarrierChart {
    static let labelWidth = 210
    static let barArea = 560
    static let barHeight = 14
    static let groupHeight = 40
    static let top = 30

    static func svg(_ mix: [CarrierShare]) -> String {
        guard !mix.isEmpty else { return "<p id=\"carrier-mix\">No carrier decisions.</p>\n" }
        let maximum = max(1, mix.map { max($0.before, $0.after) }.max() ?? 1)
        let width = labelWidth + barArea + 60
        let height = top + mix.count * groupHeight + 8
        var svg = """
            <svg id="carrier-mix" xmlns="http://www.w3.org/2000/svg" role="img" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
            <title>Carrier decisions per option, before and after</title>
            <rect x="\(labelWidth)" y="6" width="12" height="12" fill="#98a2b3"/><text x="\(labelWidth + 18)" y="16">before</text>
            <rect x="\(labelWidth + 90)" y="6" width="12" height="12" fill="#2e90fa"/><text x="\(labelWidth + 108)" y="16">after</text>

            """
        for (index, share) in mix.enumerated() {
            let y = top + index * groupHeight
            let label = ReplayHTMLRenderer.e(share.label)
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + barHeight + 4)\" text-anchor=\"end\">\(label)</text>\n"
            svg += bar(x: labelWidth, y: y, value: share.before, maximum: maximum, color: "#98a2b3", label: "\(label) before")
            svg += bar(x: labelWidth, y: y + barHeight + 2, value: share.after, maximum: maximum, color: "#2e90fa", label: "\(label) after")
        }
        return svg + "</svg>\n"
    }

    static func bar(x: Int, y: Int, value: Int, maximum: Int, color: String, label: String) -> String {
        let length = value == 0 ? 0 : max(2, value * barArea / maximum)
        return "<rect class=\"bar\" x=\"\(x)\" y=\"\(y)\" width=\"\(length)\" height=\"\(barHeight)\" fill=\"\(color)\"><title>\(label): \(value)</title></rect>"
            + "<text x=\"\(x + length + 6)\" y=\"\(y + barHeight - 3)\">\(value)</text>\n"
    }
}
