import PostingModel

/// Ozon's order numbers and the postings they split into: order `N` ships as postings `N-1`,
/// `N-2`, ... (ozon-api-actions.md §4: a chat message's `context.order_number`).
public enum OrderNumbers {
    /// Of `numbers`, those of order `orderNumber` (`N-<digits>`), by their last part as a number.
    public static func postings(_ numbers: [String], ofOrder orderNumber: String) -> [String] {
        let prefix = orderNumber + "-"
        let matching = numbers.compactMap { number -> (String, Int)? in
            guard number.hasPrefix(prefix) else { return nil }
            let rest = number.dropFirst(prefix.count)
            guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let part = Int(rest) else { return nil }
            return (number, part)
        }
        return matching.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
    }
}
