/// Code 128, code set B: printable ASCII (space to `~`), which covers posting numbers
/// (`0203317755-0001-1`). Set B keeps one symbol per character, so a scanner's read-back is the
/// text itself with no set switching to get wrong.
public enum Code128 {
    /// Bar and space widths (in modules, bar first) of symbol values 0–105; 106 is the stop.
    static let patterns: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ]
    static let startB = 104
    static let stop = 106
    /// The quiet zone each side, in modules (the standard asks for at least ten).
    public static let quietZone = 10

    public enum EncodingError: Error, Equatable, CustomStringConvertible {
        case unsupportedCharacter(Character)
        case empty

        public var description: String {
            switch self {
            case .unsupportedCharacter(let c): "Code 128 set B cannot encode '\(c)'"
            case .empty: "Code 128 needs at least one character"
            }
        }
    }

    /// The symbol values: start B, one per character, the checksum, stop.
    public static func symbols(_ text: String) throws(EncodingError) -> [Int] {
        guard !text.isEmpty else { throw .empty }
        var values = [startB]
        for character in text {
            guard let ascii = character.asciiValue, (32...126).contains(ascii) else { throw .unsupportedCharacter(character) }
            values.append(Int(ascii) - 32)
        }
        // Checksum: the start value plus each data value times its position, modulo 103.
        var sum = startB
        for (position, value) in values.dropFirst().enumerated() { sum += value * (position + 1) }
        values.append(sum % 103)
        values.append(stop)
        return values
    }

    /// Module widths alternating bar, space, bar, ... from the first bar (no quiet zones).
    public static func widths(_ text: String) throws(EncodingError) -> [Int] {
        try symbols(text).flatMap { patterns[$0].map { Int(String($0))! } }
    }

    /// The barcode as an inline SVG: one rect per bar, `moduleMM` wide each, quiet zones included,
    /// crisp edges so a printer or a screenshot keeps the bars apart.
    public static func svg(_ text: String, moduleMM: Double = 0.4, heightMM: Double = 15) throws(EncodingError) -> String {
        let widths = try widths(text)
        let total = widths.reduce(0, +) + 2 * quietZone
        var rects = ""
        var x = quietZone
        for (index, width) in widths.enumerated() {
            if index % 2 == 0 { rects += "<rect x=\"\(x)\" y=\"0\" width=\"\(width)\" height=\"100\"/>" }
            x += width
        }
        let widthMM = Double(total) * moduleMM
        return "<svg class=\"barcode\" role=\"img\" aria-label=\"Code 128\""
            + " width=\"\(format(widthMM))mm\" height=\"\(format(heightMM))mm\" viewBox=\"0 0 \(total) 100\""
            + " preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\">"
            + "<rect x=\"0\" y=\"0\" width=\"\(total)\" height=\"100\" fill=\"#fff\"/><g fill=\"#000\">\(rects)</g></svg>"
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }
}
