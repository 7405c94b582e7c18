/// Ozon's rules for talking to buyers (SPEC §6): a text that reaches a buyer
/// (a chat message, a parcel insert) carries no contact details: no link, no
/// e-mail address, no phone number, no messenger handle.
///
/// A hand-written scanner rather than regular expressions: insert texts are
/// checked on every posting, and a card is scanned in one or two passes.
/// It errs on the side of numbers Ozon itself prints: posting and order
/// numbers (`61930528-0117-1`), tracking numbers (`CDEK1583307412`,
/// `80080012345678`), prices (`12 020 ₽`) and dates are not phone numbers.
public enum ContactDetector {
    /// One contact detail found in a text.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case link, email, phone, messenger
        }

        public var kind: Kind
        /// The text as found, e.g. `+7 912 345-67-89`.
        public var match: String

        /// `a phone number ('+7 912 345-67-89')`.
        public var description: String {
            let what = switch kind {
            case .link: "a link"
            case .email: "an e-mail address"
            case .phone: "a phone number"
            case .messenger: "a messenger handle"
            }
            return "\(what) ('\(match)')"
        }
    }

    /// The first contact detail in `text`, or nil when it has none. Links and
    /// e-mail addresses are looked for first, then handles and messenger
    /// names, then phone numbers.
    public static func firstContact(in text: String) -> Finding? {
        let scalars = Array(text.unicodeScalars)
        return link(in: scalars) ?? email(in: scalars) ?? handle(in: scalars) ?? messenger(in: scalars) ?? phone(in: scalars)
    }

    // MARK: - Links

    /// Top-level domains a bare `name.tld` is taken as a link for. A list, not
    /// "any letters", so that `г.Москва` or `т.е.` stay words.
    static let topLevelDomains: Set<String> = [
        "ru", "su", "рф", "рус", "com", "net", "org", "info", "biz", "io", "me", "co", "cc", "ly", "gg", "tv", "fm", "ai",
        "app", "dev", "shop", "store", "online", "site", "pro", "xyz", "club", "top", "link", "market", "kz", "by", "ua",
        "uz", "am", "ge", "kg", "de", "uk", "us", "eu", "cn",
    ]

    private static func link(in s: [Unicode.Scalar]) -> Finding? {
        var i = 0
        while i < s.count {
            guard startsWord(s, at: i) else { i += 1; continue }
            if hasPrefix(s, at: i, "http://") || hasPrefix(s, at: i, "https://") || hasPrefix(s, at: i, "www.") {
                return Finding(kind: .link, match: token(s, from: i))
            }
            // A bare domain: labels of letters, digits and hyphens joined by dots, ending in a known TLD.
            var end = i
            var hasDot = false
            while end < s.count, isDomainCharacter(s[end]) || (s[end] == "." && end + 1 < s.count && isDomainCharacter(s[end + 1])) {
                if s[end] == "." { hasDot = true }
                end += 1
            }
            // Only a dotted run can be a domain: plain words cost no string.
            if end > i, !hasDot {
                i = end
                continue
            }
            if end > i {
                let labels = String(String.UnicodeScalarView(s[i..<end])).lowercased().split(separator: ".", omittingEmptySubsequences: false)
                if labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let last = labels.last, topLevelDomains.contains(String(last)) {
                    return Finding(kind: .link, match: token(s, from: i))
                }
                i = end
                continue
            }
            i += 1
        }
        return nil
    }

    // MARK: - E-mail addresses and handles

    private static func email(in s: [Unicode.Scalar]) -> Finding? {
        for at in s.indices where s[at] == "@" {
            var start = at
            while start > 0, isEmailLocalCharacter(s[start - 1]) { start -= 1 }
            var end = at + 1
            while end < s.count, isDomainCharacter(s[end]) || (s[end] == "." && end + 1 < s.count && isDomainCharacter(s[end + 1])) {
                end += 1
            }
            guard start < at, end > at + 1 else { continue }
            let domain = String(String.UnicodeScalarView(s[(at + 1)..<end]))
            let labels = domain.split(separator: ".")
            guard labels.count >= 2, let last = labels.last, last.count >= 2, last.unicodeScalars.allSatisfy(isLetter) else { continue }
            return Finding(kind: .email, match: String(String.UnicodeScalarView(s[start..<end])))
        }
        return nil
    }

    /// `@handle`: an `@` that does not end an address's local part, then at
    /// least three name characters, one of them a letter.
    private static func handle(in s: [Unicode.Scalar]) -> Finding? {
        for at in s.indices where s[at] == "@" {
            guard at == 0 || !isEmailLocalCharacter(s[at - 1]) else { continue }
            var end = at + 1
            while end < s.count, isHandleCharacter(s[end]) { end += 1 }
            let name = s[(at + 1)..<end]
            guard name.count >= 3, name.contains(where: isASCIILetter) else { continue }
            return Finding(kind: .messenger, match: String(String.UnicodeScalarView(s[at..<end])))
        }
        return nil
    }

    /// Messenger names, Latin and Cyrillic (matched as word prefixes, so
    /// `телеграме`, `ватсапу` count).
    static let messengerNames = ["telegram", "телеграм", "телега", "whatsapp", "ватсап", "вотсап", "viber", "вайбер", "wechat", "вичат"]
    private static let messengerInitials: Set<Unicode.Scalar> = Set(messengerNames.compactMap(\.unicodeScalars.first))

    /// A messenger's name followed by an identifier: `telegram shop_msk`,
    /// `WhatsApp: +7…` (the name alone, "пишите в WhatsApp", is not a contact).
    private static func messenger(in s: [Unicode.Scalar]) -> Finding? {
        var i = 0
        while i < s.count {
            guard isLetter(s[i]), i == 0 || !isLetter(s[i - 1]) else { i += 1; continue }
            var wordEnd = i
            while wordEnd < s.count, isLetter(s[wordEnd]) { wordEnd += 1 }
            // Every name starts with t, w, v, т or в: other words cost no string.
            let initial = lowercasedInitial(s[i])
            guard messengerInitials.contains(initial) else {
                i = wordEnd
                continue
            }
            if startsWithMessengerName(s, from: i, to: wordEnd) {
                var next = wordEnd
                while next < s.count, [" ", ":", "-", "—", "–", "\u{00A0}"].contains(s[next]) { next += 1 }
                var end = next
                while end < s.count, isHandleCharacter(s[end]) || s[end] == "+" { end += 1 }
                let identifier = s[next..<end]
                if identifier.count >= 3, identifier.contains(where: { isASCIILetter($0) || ("0"..."9").contains($0) }) {
                    return Finding(kind: .messenger, match: String(String.UnicodeScalarView(s[i..<end])))
                }
            }
            i = wordEnd
        }
        return nil
    }

    private static let messengerNameScalars = messengerNames.map { Array($0.unicodeScalars) }

    /// Whether the word `s[start..<end]` starts with a messenger's name, in any
    /// case. A word of ASCII and basic Cyrillic letters only (no combining
    /// marks, one character per scalar) is compared scalar by scalar; any
    /// other goes through `String`'s own lower-casing and prefix test.
    private static func startsWithMessengerName(_ s: [Unicode.Scalar], from start: Int, to end: Int) -> Bool {
        if s[start..<end].allSatisfy({ $0.value < 0x80 || ($0.value >= 0x400 && $0.value <= 0x45F) }) {
            return messengerNameScalars.contains { name in
                name.count <= end - start && name.indices.allSatisfy { lowercasedInitial(s[start + $0]) == name[$0] }
            }
        }
        let word = String(String.UnicodeScalarView(s[start..<end])).lowercased()
        return messengerNames.contains(where: { word.hasPrefix($0) })
    }

    // MARK: - Phone numbers

    /// Separators inside a written phone number (no dots: `20.05.2026` is a date).
    private static func isPhoneSeparator(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "-" || c == "(" || c == ")" || c == "\u{00A0}" || c == "‑" || c == "–"
    }

    private static func phone(in s: [Unicode.Scalar]) -> Finding? {
        var i = 0
        while i < s.count {
            let plus = s[i] == "+" && i + 1 < s.count && (isDigit(s[i + 1]) || s[i + 1] == " " || s[i + 1] == "(")
            guard isDigit(s[i]) || plus || (s[i] == "(" && i + 1 < s.count && isDigit(s[i + 1])) else { i += 1; continue }
            // Glued to a word (`CDEK1583307412`, `KZN-4471`) it is a code, not a phone.
            if i > 0, isWordCharacter(s[i - 1]) || (s[i - 1] == "-" && i > 1 && isWordCharacter(s[i - 2])) {
                i += 1
                while i < s.count, isDigit(s[i]) { i += 1 }
                continue
            }
            var end = plus ? i + 1 : i
            var lastDigit = -1
            while end < s.count, isDigit(s[end]) || isPhoneSeparator(s[end]) {
                if isDigit(s[end]) { lastDigit = end }
                end += 1
            }
            guard lastDigit >= 0 else { i = end; continue }
            let runEnd = lastDigit + 1
            let gluedAfter = runEnd < s.count && isWordCharacter(s[runEnd])
            if !gluedAfter, looksLikePhone(Array(s[i..<runEnd]), plus: plus) {
                return Finding(kind: .phone, match: String(String.UnicodeScalarView(s[i..<runEnd])))
            }
            i = runEnd + 1
        }
        return nil
    }

    /// Whether a run of digits and separators reads as a phone number.
    static func looksLikePhone(_ run: [Unicode.Scalar], plus: Bool) -> Bool {
        let digits = run.filter(isDigit)
        guard digits.count >= 10, digits.count <= 15 else { return false }
        if plus { return true }
        // Digit groups and what separates them.
        var groups: [Int] = []
        var separators = Set<Unicode.Scalar>()
        var current = 0
        for c in run {
            if isDigit(c) { current += 1 } else {
                separators.insert(c)
                if current > 0 { groups.append(current); current = 0 }
            }
        }
        if current > 0 { groups.append(current) }
        let first = digits[0]
        if groups.count == 1 {
            // Unbroken: a Russian number (8 912…, 7 912…, 912…), not an id or a 14-digit tracking number.
            return (digits.count == 11 && (first == "7" || first == "8")) || (digits.count == 10 && first == "9")
        }
        // Posting and order numbers: hyphens only, a long first group (61930528-0117-1).
        if separators == ["-"], groups[0] >= 5 { return false }
        // Dates: 2026-05-20 inside the run.
        if groups.count >= 3, groups[0] == 4, groups[1] == 2, groups[2] == 2, separators.contains("-") { return false }
        // Amounts grouped by thousands: 1 234 567 890.
        if separators.isSubset(of: [" ", "\u{00A0}"]), groups[0] <= 3, groups.dropFirst().allSatisfy({ $0 == 3 }) { return false }
        return true
    }

    // MARK: - Characters

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
    /// Unicode's Alphabetic, looked up only outside ASCII and the basic
    /// Cyrillic letters (U+0400–U+045F), which every card is made of: the
    /// property table cost a fifth of a transition.
    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return isASCIILetter(c) }
        if c.value >= 0x400 && c.value <= 0x45F { return true }
        return c.properties.isAlphabetic
    }

    /// The first scalar of `c`'s lower-case mapping, worked out directly for
    /// ASCII and the basic Cyrillic letters.
    private static func lowercasedInitial(_ c: Unicode.Scalar) -> Unicode.Scalar {
        switch c.value {
        case 0x41...0x5A, 0x410...0x42F: return Unicode.Scalar(c.value + 0x20)!
        case 0x400...0x40F: return Unicode.Scalar(c.value + 0x50)!
        case 0...0x7F, 0x430...0x45F: return c
        default: return c.properties.lowercaseMapping.unicodeScalars.first ?? c
        }
    }
    private static func isWordCharacter(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) || c == "_" }
    private static func isDomainCharacter(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) || c == "-" }
    private static func isHandleCharacter(_ c: Unicode.Scalar) -> Bool { isASCIILetter(c) || isDigit(c) || c == "_" || c == "." }
    private static func isEmailLocalCharacter(_ c: Unicode.Scalar) -> Bool {
        isASCIILetter(c) || isDigit(c) || c == "." || c == "_" || c == "%" || c == "+" || c == "-"
    }

    /// Whether a word (or a link) may start at `i`.
    private static func startsWord(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        i == 0 || !(isWordCharacter(s[i - 1]) || s[i - 1] == "." || s[i - 1] == "-" || s[i - 1] == "@")
    }

    private static func hasPrefix(_ s: [Unicode.Scalar], at i: Int, _ prefix: String) -> Bool {
        var j = i
        for p in prefix.unicodeScalars {
            guard j < s.count else { return false }
            let c = s[j]
            let lowered = (c >= "A" && c <= "Z") ? Unicode.Scalar(c.value + 32)! : c
            guard lowered == p else { return false }
            j += 1
        }
        return true
    }

    /// The text from `i` to the next space, trailing punctuation dropped.
    private static func token(_ s: [Unicode.Scalar], from i: Int) -> String {
        var end = i
        while end < s.count, !s[end].properties.isWhitespace { end += 1 }
        while end > i, [".", ",", "!", "?", ")", ";", ":", "»", "\""].contains(s[end - 1]) { end -= 1 }
        return String(String.UnicodeScalarView(s[i..<end]))
    }
}
