import PostingModel

/// One decision hook of SPEC §3.1, described once: everything the engine, the
/// store's records and the renderers need to know about it comes from here.
///
/// A new hook is one entry in `Hook.all` plus its validator (and its case of
/// `Decision`). A name the table does not know is `unknown_hook`, never
/// something treated as another hook.
public struct Hook: Sendable, Hashable, CustomStringConvertible {
    /// How the hook is called.
    public enum Arguments: Sendable, Hashable {
        /// `hook(posting, ctx)`.
        case postingAndContext
        /// `hook(ret, posting_or_nil, ctx)`.
        case returnPostingAndContext
        /// `hook(request, posting_or_nil, ctx)`: an rFBS cancellation request.
        case requestPostingAndContext
        /// `hook(message, posting_or_nil, ctx)`: a buyer's chat message (SPEC §7.2).
        case messagePostingAndContext

        /// The number of arguments the Lua function gets.
        var arity: Int64 { self == .postingAndContext ? 2 : 3 }
    }

    /// The recorded name of its runs (`carrier`); for a keyed hook, the part
    /// before `:<key>` (`transitions`).
    public let name: String
    /// The rule file that defines the hook.
    public let fileName: String
    public let arguments: Arguments
    /// The file returns a table of functions by key (a status name or `"*"`)
    /// rather than one function; each runs as `name:key`.
    public let isKeyed: Bool
    /// Whether later hooks of the same transition see the decision in `ctx.decisions`.
    public let isVisibleToLaterHooks: Bool
    /// Validates what the hook returned and decodes it (SPEC §3.3), with the
    /// JSON to record when the host rewrote it (texts rendered, defaults filled
    /// in). Without a subject only the decision's shape is checked (a recorded
    /// decision).
    let check: @Sendable (JSONValue, DecisionSubject?) throws(DecisionViolation) -> Validated

    public var description: String { name }

    public static func == (lhs: Hook, rhs: Hook) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public static let packaging = Hook(
        name: "packaging", fileName: "packaging.lua", arguments: .postingAndContext, isKeyed: false, isVisibleToLaterHooks: true,
        check: { value, subject throws(DecisionViolation) in
            Validated(.packaging(try DecisionValidator.packaging(value, products: subject?.products)))
        })
    public static let inserts = Hook(
        name: "inserts", fileName: "inserts.lua", arguments: .postingAndContext, isKeyed: false, isVisibleToLaterHooks: true,
        check: { value, subject throws(DecisionViolation) in
            let (inserts, recorded) = try DecisionValidator.inserts(value, texts: subject?.texts)
            return Validated(.inserts(inserts), recorded: recorded)
        })
    public static let carrier = Hook(
        name: "carrier", fileName: "carrier.lua", arguments: .postingAndContext, isKeyed: false, isVisibleToLaterHooks: true,
        check: { value, _ throws(DecisionViolation) in Validated(.carrier(try DecisionValidator.carrier(value))) })
    public static let returns = Hook(
        name: "returns", fileName: "returns.lua", arguments: .returnPostingAndContext, isKeyed: false, isVisibleToLaterHooks: false,
        check: { value, subject throws(DecisionViolation) in Validated(.returns(try DecisionValidator.returns(value, paid: subject?.paid))) })
    public static let cancellations = Hook(
        name: "cancellations", fileName: "cancellations.lua", arguments: .requestPostingAndContext, isKeyed: false,
        isVisibleToLaterHooks: false,
        check: { value, _ throws(DecisionViolation) in Validated(.cancellation(try DecisionValidator.cancellation(value))) })
    public static let transitions = Hook(
        name: "transitions", fileName: "transitions.lua", arguments: .postingAndContext, isKeyed: true, isVisibleToLaterHooks: false,
        check: { value, subject throws(DecisionViolation) in
            let (actions, recorded) = try DecisionValidator.actions(value, texts: subject?.texts)
            return Validated(.actions(actions), recorded: recorded)
        })

    /// `timers.lua` (SPEC §7.1): a list of timers, each armed by its `at` when a
    /// posting enters its status and fired by its `run`, recorded as
    /// `timers:<name>`. Its actions are validated like `transitions.lua`'s.
    public static let timers = Hook(
        name: "timers", fileName: "timers.lua", arguments: .postingAndContext, isKeyed: true, isVisibleToLaterHooks: false,
        check: { value, subject throws(DecisionViolation) in
            let (actions, recorded) = try DecisionValidator.actions(value, texts: subject?.texts)
            return Validated(.actions(actions), recorded: recorded)
        })

    /// Every hook, in the order they run within one transition (`returns` and
    /// `cancellations` run on their own subjects, `timers` when they are due, `messages` on
    /// a buyer's chat message).
    public static let all: [Hook] = [.packaging, .inserts, .carrier, .returns, .cancellations, .transitions, .timers, .messages]

    /// What a timer may be called: `[a-z][a-z0-9_]*`.
    public static func isTimerName(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: "_") }
    }

    /// Whether `key` names one function of this keyed hook: a status or `"*"`
    /// for `transitions`, a timer name for `timers`.
    func accepts(key: Substring) -> Bool {
        self == .timers ? Hook.isTimerName(key) : key == "*" || PostingStatus(rawValue: String(key)) != nil
    }

    /// Validates what the hook returned and decodes it, as `check` does,
    /// without the rewritten JSON.
    func validate(_ value: JSONValue, _ subject: DecisionSubject?) throws(DecisionViolation) -> Decision {
        try check(value, subject).decision
    }

    /// The hook a recorded run name belongs to: `carrier`, or
    /// `transitions:<status>` / `transitions:*` / `timers:<name>` for a keyed
    /// hook; nil for a name the table does not know (including a key the hook
    /// does not take).
    public static func named(_ runName: String) -> Hook? {
        guard let colon = runName.firstIndex(of: ":") else {
            return all.first { !$0.isKeyed && $0.name == runName }
        }
        let prefix = runName[..<colon]
        let key = runName[runName.index(after: colon)...]
        guard let hook = all.first(where: { $0.isKeyed && $0.name == prefix }), hook.accepts(key: key) else { return nil }
        return hook
    }

    /// The recorded name of one function of a keyed hook.
    func runName(key: String?) -> String { key.map { "\(name):\($0)" } ?? name }

    /// Decodes a decision as recorded (already validated when it was made):
    /// nil when it does not have the hook's shape.
    public func recorded(_ decision: JSONValue) -> Decision? {
        try? validate(decision, nil)
    }

    /// The decision hooks run when a posting enters `status` (SPEC §2), in
    /// order; `transitions.lua` runs after them in every case.
    /// `carrierDecided` tells whether a carrier decision is already recorded.
    public static func decisionHooks(entering status: PostingStatus, carrierDecided: Bool = false) -> [Hook] {
        switch status {
        case .awaitingPackaging: [.packaging, .inserts, .carrier]
        case .awaitingDeliver: carrierDecided ? [] : [.carrier]
        default: []
        }
    }
}

/// What a decision is checked against beyond its shape (SPEC §3.3).
struct DecisionSubject {
    /// The posting's products: every unit must be packed exactly once.
    var products: [Product]?
    /// What the buyer paid for a returned product, in minor units.
    var paid: Int64?
    /// Renders texts for buyers over the posting; with it, those texts are
    /// recorded rendered and checked against Ozon's rules for talking to
    /// buyers (SPEC §6). Nil: texts are taken as recorded.
    var texts: PostingTexts?
}

/// A validated decision, and the JSON to record when it differs from what the hook returned.
struct Validated {
    var decision: Decision
    /// Nil: record the hook's value as it returned it.
    var recorded: JSONValue?

    init(_ decision: Decision, recorded: JSONValue? = nil) {
        self.decision = decision
        self.recorded = recorded
    }
}

/// A posting state transition: `from` is nil for a posting seen for the first time.
public struct Transition: Sendable, Hashable {
    public var from: PostingStatus?
    public var to: PostingStatus
    public init(from: PostingStatus?, to: PostingStatus) {
        self.from = from
        self.to = to
    }
}
