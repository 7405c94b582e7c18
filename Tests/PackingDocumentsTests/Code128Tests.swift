import Testing
@testable import PackingDocuments

@Suite("Code 128, code set B")
struct Code128Tests {
    @Test("every symbol is 11 modules of three bars and three spaces; the stop is 13; no two alike")
    func table() {
        #expect(Code128.patterns.count == 107)
        for (value, pattern) in Code128.patterns.enumerated() {
            let widths = pattern.map { Int(String($0))! }
            #expect(widths.allSatisfy { (1...4).contains($0) }, "symbol \(value)")
            if value == Code128.stop {
                #expect(widths.count == 7 && widths.reduce(0, +) == 13)
            } else {
                #expect(widths.count == 6 && widths.reduce(0, +) == 11, "symbol \(value): \(pattern)")
            }
        }
        #expect(Set(Code128.patterns).count == 107)
    }

    @Test("start B, one value per character, a weighted checksum modulo 103, stop")
    func symbols() throws {
        // 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879 = 8·103 + 55
        #expect(try Code128.symbols("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106])
        // 104 + 16·1 + 13·2 + 16·3 = 194 = 103 + 91
        #expect(try Code128.symbols("0-0") == [104, 16, 13, 16, 91, 106])
        let number = try Code128.symbols("61930528-0117-1")
        #expect(number.count == 15 + 3)
        var sum = 104
        for (i, c) in "61930528-0117-1".enumerated() { sum += (Int(c.asciiValue!) - 32) * (i + 1) }
        #expect(number[16] == sum % 103)
    }

    @Test("the bars start and end black, with quiet zones of ten modules each side")
    func widthsAndSVG() throws {
        let widths = try Code128.widths("0203317755-0001-1")
        // (start + 17 characters + checksum) × 11 + stop 13
        #expect(widths.reduce(0, +) == 19 * 11 + 13)
        #expect(widths.count % 2 == 1, "bar, space, ..., bar")
        #expect(Array(widths.prefix(6)) == [2, 1, 1, 2, 1, 4], "start B")
        #expect(Array(widths.suffix(7)) == [2, 3, 3, 1, 1, 1, 2], "stop")
        let svg = try Code128.svg("0203317755-0001-1")
        #expect(svg.contains("viewBox=\"0 0 \(19 * 11 + 13 + 20) 100\""))
        #expect(svg.contains("<rect x=\"10\" y=\"0\" width=\"2\""), "the first bar after the quiet zone")
        #expect(svg.components(separatedBy: "<rect").count - 2 == (widths.count + 1) / 2, "one rect per bar, one background")
    }

    @Test("characters outside printable ASCII are refused, not encoded wrongly")
    func refusals() {
        #expect(throws: Code128.EncodingError.unsupportedCharacter("Ж")) { try Code128.symbols("12Ж") }
        #expect(throws: Code128.EncodingError.empty) { try Code128.symbols("") }
    }
}
