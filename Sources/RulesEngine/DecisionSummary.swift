import PostingModel

/// One-line summaries of decisions for people: `cdek/pickup_point 149.00 ₽ 3d`.
/// The one description of a decision that `evaluate --format table`, `log`
/// and `replay` all show.
public enum DecisionSummary {
    /// `empty` is what an empty list (no inserts, no actions) reads as.
    public static func text(_ decision: Decision, empty: String = "(none)") -> String {
        switch decision {
        case .packaging(let packaging): text(packaging)
        case .inserts(let inserts): text(inserts, empty: empty)
        case .carrier(let carrier): text(carrier)
        case .returns(let decision): text(decision)
        case .cancellation(let decision): text(decision)
        case .actions(let actions): text(actions, empty: empty)
        }
    }

    /// A recorded decision of the hook run `hook`; its JSON (keys sorted) when
    /// the table does not know the hook or the decision lacks the hook's shape.
    public static func text(hook: String, recorded decision: JSONValue) -> String {
        // A timer's `at` run: `due 2026-05-21T05:00:00Z`.
        if hook.hasPrefix(Hook.timers.name + ":"), hook.hasSuffix(":at"), let due = decision["due"]?.int64Value {
            return "due " + Timestamp(unixSeconds: due).iso8601
        }
        guard let typed = Hook.named(hook)?.recorded(decision) else { return JSONWriter.write(decision, sortedKeys: true) }
        return text(typed)
    }

    /// Boxes, counted: `M, S×2`.
    public static func text(_ decision: PackagingDecision) -> String {
        var counts: [(box: String, count: Int)] = []
        for package in decision.packages {
            let box = package.box ?? "box"
            if let index = counts.firstIndex(where: { $0.box == box }) {
                counts[index].count += 1
            } else {
                counts.append((box, 1))
            }
        }
        return counts.map { $0.count > 1 ? "\($0.box)×\($0.count)" : $0.box }.joined(separator: ", ")
    }

    /// Kinds: `thank_you_card+coupon`.
    public static func text(_ inserts: [InsertDecision], empty: String = "(none)") -> String {
        inserts.isEmpty ? empty : inserts.map(\.kind).joined(separator: "+")
    }

    /// `carrier/service cost eta`: `cdek/pickup_point 149.00 ₽ 3d`.
    public static func text(_ decision: CarrierDecision) -> String {
        var parts = [decision.carrier + (decision.service.map { "/" + $0 } ?? "")]
        if let cost = decision.cost { parts.append(roubles(cost)) }
        if let days = decision.etaDays { parts.append("\(days)d") }
        return parts.joined(separator: " ")
    }

    /// `refund 1299.00 ₽`.
    public static func text(_ decision: ReturnDecision) -> String {
        decision.action.rawValue + (decision.amount.map { " " + roubles($0) } ?? "")
    }

    /// `approve`, `reject`.
    public static func text(_ decision: CancellationDecision) -> String {
        decision.action.rawValue
    }

    /// Action names: `notify, hold`.
    public static func text(_ actions: [ActionDecision], empty: String = "(none)") -> String {
        actions.isEmpty ? empty : actions.map(\.action).joined(separator: ", ")
    }

    /// Roubles from minor units, exactly: `1234.50 ₽`, `-0.05 ₽`.
    public static func roubles(_ minor: Int64) -> String {
        Money(minorUnits: minor, currency: "RUB").decimalString + " ₽"
    }
}
