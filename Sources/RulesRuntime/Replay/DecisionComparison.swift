import PostingModel
import PostingStore
import RulesEngine

/// Compares what a hook produced before and after.
///
/// Two decisions are the same when their canonical JSON is equal once every `reason` key (at any
/// depth) is removed; when only reasons differ the change is `reasonOnly`. Two errors are the
/// same when code, file, line and message are. Anything else (decision ↔ error, decision ↔ none)
/// is a change.
enum DecisionComparison {
    enum Result: Equatable { case same, reasonOnly, changed }

    static func compare(_ before: ReplayOutcome, _ after: ReplayOutcome) -> Result {
        switch (before, after) {
        case (.none, .none):
            return .same
        case (.decision(let a), .decision(let b)):
            if Snapshot.text(a) == Snapshot.text(b) { return .same }
            return Snapshot.text(withoutReasons(a)) == Snapshot.text(withoutReasons(b)) ? .reasonOnly : .changed
        case (.error(let a), .error(let b)):
            return a == b ? .same : .changed
        default:
            return .changed
        }
    }

    static func withoutReasons(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            object.removeValue(forKey: "reason")
            return .object(JSONObject(object.map { ($0.key, withoutReasons($0.value)) }))
        case .array(let items):
            return .array(items.map(withoutReasons))
        default:
            return value
        }
    }
}
