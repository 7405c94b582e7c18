import Foundation
import LuaKit
import PostingModel
import RulesEngine

/// What `ozon-rules repl` was asked to load.
public struct REPLOptions: Sendable {
    public var rules: URL
    /// `--postings FILE`: postings and returns in any input format, at hand as `postings` and `returns`.
    public var postingsFile: String?
    public var limits: LuaLimits
    /// `ctx.now` of `:eval` and the default of the tooling helpers.
    public var now: Timestamp

    public init(rules: URL, postingsFile: String? = nil, limits: LuaLimits = .standard, now: Timestamp = .now()) {
        self.rules = rules
        self.postingsFile = postingsFile
        self.limits = limits
        self.now = now
    }
}

/// Why a session could not start.
public enum REPLStartError: Error, Sendable, CustomStringConvertible {
    case missingRules(RulesFolder.MissingError)
    case rulesDoNotLoad(RulesLoadError)
    case unreadablePostings(InputFileError)
    case setup(LuaError)

    public var description: String {
        switch self {
        case .missingRules(let error): error.description
        case .rulesDoNotLoad(let error): error.description
        case .unreadablePostings(let error): error.description
        case .setup(let error): "cannot start the REPL: \(error)"
        }
    }
}

/// The answer to one line of input.
public struct REPLReply: Sendable, Equatable {
    /// Results, printed lines and command output, for stdout (ends with a newline when not empty).
    public var output = ""
    /// Errors, for stderr (ends with a newline when not empty).
    public var errors = ""
    /// The input is an unfinished chunk: read another line (with the continuation prompt).
    public var needsMore = false
    /// `:quit`.
    public var quit = false

    public init(output: String = "", errors: String = "", needsMore: Bool = false, quit: Bool = false) {
        self.output = output
        self.errors = errors
        self.needsMore = needsMore
        self.quit = quit
    }
}

/// A REPL session, without a terminal: lines in, replies out.
///
/// Input is Lua, run in the rules' sandbox under the hooks' limits, or a
/// command starting with `:` (see `help`). Like `lua5.4`, a line is first tried
/// as an expression (`return <line>`), then as statements; `=expr` forces an
/// expression; input that ends too early (a syntax error at `<eof>`) waits
/// for more lines. Results are shown as Lua values (tables readable and
/// sorted). Errors are reported and the session goes on.
public final class REPLSession {
    public let options: REPLOptions
    private(set) var lua: REPLLua
    private var pending: [String] = []
    private let trace = TraceRecorder()

    /// Problems with single items of the postings file (the rest is loaded).
    public private(set) var warnings: [String] = []

    public init(options: REPLOptions) throws(REPLStartError) {
        self.options = options
        (lua, warnings) = try REPLSession.load(options)
        trace.attach(to: lua)
    }

    /// True while an unfinished chunk waits for more lines.
    public var isContinuing: Bool { !pending.isEmpty }

    /// One line for the terminal's banner.
    public var banner: String {
        let hooks = lua.engine.definedHooks
        return "ozon-rules repl: rules \(options.rules.path) (\(hooks.isEmpty ? "no hooks" : hooks.joined(separator: ", "))); "
            + "\(lua.postings.count) posting(s), \(lua.returns.count) return(s). :help for commands, :quit to leave."
    }

    /// Handles one line of input.
    public func submit(_ line: String) -> REPLReply {
        if pending.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return REPLReply() }
            if trimmed.hasPrefix(":") { return command(trimmed) }
        }
        pending.append(line)
        return evaluatePending()
    }

    // MARK: - Lua input

    private func evaluatePending() -> REPLReply {
        var source = pending.joined(separator: "\n")
        if pending.count == 1, source.hasPrefix("=") { source = "return " + source.dropFirst() }
        let chunk: LuaReference
        do {
            chunk = try compile(source)
        } catch is IncompleteInput {
            return REPLReply(needsMore: true)
        } catch {
            pending.removeAll()
            return REPLReply(errors: "\(error)\n")
        }
        pending.removeAll()
        return traced {
            var reply = REPLReply()
            do throws(LuaError) {
                let results = try lua.run(chunk)
                reply.output = REPLSession.lines(lua.takePrinted() + (results.isEmpty ? [] : [results]))
            } catch {
                reply.output = REPLSession.lines(lua.takePrinted())
                reply.errors = REPLSession.lines([REPLSession.describe(error)])
            }
            return reply
        }
    }

    struct IncompleteInput: Error {}

    /// An expression if the source is one, else statements; `IncompleteInput`
    /// when either form only lacks its end (`if x then`, `{`, `f(`).
    private func compile(_ source: String) throws -> LuaReference {
        let expressionError: LuaError
        do {
            return try lua.compile("return " + source)
        } catch {
            expressionError = error
        }
        do {
            return try lua.compile(source)
        } catch {
            if error.message.hasSuffix("<eof>") || expressionError.message.hasSuffix("<eof>") { throw IncompleteInput() }
            throw error
        }
    }

    static func describe(_ error: LuaError) -> String {
        var text = error.description
        switch error.kind {
        case .instructionLimit, .memoryLimit, .timeout:
            text += " (limits: --instruction-limit, --memory-limit-mb, --timeout-ms)"
        default: break
        }
        return text
    }

    static func lines(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Commands

    static let commands = [":help", ":postings", ":eval", ":trace", ":reload", ":quit"]

    public static let help = """
        Lua runs in the rules' sandbox, under the hooks' limits. `expr` or `=expr` shows a value;
        statements run; an unfinished chunk continues on the next line. Globals you set stay for the
        session. At hand: postings[i], returns[i], require("lib.x"), posting{...}, posting_from(path),
        return_event{...}, run_hook(name, p, opts), run_transition(p, opts), run_return(ret, p, opts),
        set_now(time), show(v).

        :help                 this text
        :postings             the postings and returns loaded with --postings
        :eval N [STATUS]      run the hooks for posting N (index or posting_number) entering its
                              status (or STATUS) and show the decisions; rN (or a return_id) for a return
        :trace on|off         show the rule lines each input executes
        :reload               re-read the rules folder and --postings (plain-data globals are kept)
        :quit                 leave (also Ctrl-D)
        """

    private func command(_ line: String) -> REPLReply {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let arguments = Array(words.dropFirst())
        switch words[0] {
        case ":help", ":h", ":?": return REPLReply(output: REPLSession.help + "\n")
        case ":quit", ":q", ":exit": return REPLReply(quit: true)
        case ":postings", ":p": return REPLReply(output: listing())
        case ":eval", ":e": return traced { evalCommand(arguments) }
        case ":trace", ":t": return traceCommand(arguments)
        case ":reload", ":r": return reload()
        default:
            return REPLReply(errors: "unknown command \(words[0]); commands: \(REPLSession.commands.joined(separator: " "))\n")
        }
    }

    private func listing() -> String {
        var lines: [String] = []
        if lua.postings.isEmpty && lua.returns.isEmpty {
            return "no postings loaded (start with --postings FILE)\n"
        }
        for (index, posting) in lua.postings.enumerated() {
            let units = posting.products.reduce(Int64(0)) { $0 + $1.quantity }
            let total = posting.total.map { $0.description } ?? "mixed currencies"
            let city = posting.fields["analytics_data"]?["city"]?.stringValue ?? posting.fields["customer"]?["address"]?["city"]?.stringValue
            lines.append("\(String(index + 1).leftPadded(3))  \(posting.postingNumber)  \(posting.status.rawValue)  "
                + "\(units) unit(s)  \(total)\(city.map { "  \($0)" } ?? "")")
        }
        for (index, event) in lua.returns.enumerated() {
            let product = event.product.offerID.isEmpty ? "sku \(event.product.sku)" : event.product.offerID
            lines.append("\(("r" + String(index + 1)).leftPadded(3))  return \(event.returnID)  posting \(event.postingNumber)  "
                + "\(product) x\(event.product.quantity)  \(event.schema.rawValue)")
        }
        return REPLSession.lines(lines)
    }

    private func evalCommand(_ arguments: [String]) -> REPLReply {
        guard let which = arguments.first, arguments.count <= 2 else {
            return REPLReply(errors: "usage: :eval N [STATUS] (N: a posting's index or posting_number, rN: a return)\n")
        }
        var status: PostingStatus?
        if arguments.count == 2 {
            guard let given = PostingStatus(rawValue: arguments[1]) else {
                return REPLReply(errors: "unknown status '\(arguments[1])'\n")
            }
            status = given
        }
        let now = lua.bindings.now
        if let event = pickReturn(which) {
            let posting = lua.postings.first { $0.postingNumber == event.postingNumber }
            let evaluation = lua.engine.evaluate(event, posting: posting, now: now)
            return render(evaluation, title: "return \(event.returnID) of posting \(event.postingNumber)"
                + (posting == nil ? " (posting not loaded)" : ""))
        }
        guard let posting = pickPosting(which) else {
            return REPLReply(errors: "no posting '\(which)': give an index 1...\(lua.postings.count), a posting_number, or rN for a return\n")
        }
        let to = status ?? posting.status
        let evaluation = lua.engine.evaluate(posting.withStatus(to, substatus: posting.substatus),
                                             transition: Transition(from: nil, to: to), now: now)
        return render(evaluation, title: "posting \(posting.postingNumber) entering \(to.rawValue)")
    }

    private func pickPosting(_ which: String) -> Posting? {
        if let index = Int(which), index >= 1, index <= lua.postings.count { return lua.postings[index - 1] }
        return lua.postings.first { $0.postingNumber == which }
    }

    private func pickReturn(_ which: String) -> ReturnEvent? {
        if which.hasPrefix("r"), let index = Int(which.dropFirst()), index >= 1, index <= lua.returns.count {
            return lua.returns[index - 1]
        }
        if let id = Int64(which), pickPosting(which) == nil { return lua.returns.first { $0.returnID == id } }
        return nil
    }

    private func render(_ evaluation: Evaluation, title: String) -> REPLReply {
        var lines = [title]
        lines.append("decisions = " + lua.show(LuaValue(json: .object(evaluation.decisionsJSON))))
        lines.append("actions = " + lua.show(.array(evaluation.actions.map { LuaValue(json: $0) })))
        if !evaluation.log.isEmpty { lines.append("log = " + lua.show(.array(evaluation.log.map(LuaValue.string)))) }
        var reply = REPLReply(output: REPLSession.lines(lines))
        if !evaluation.errors.isEmpty {
            reply.errors = REPLSession.lines(evaluation.errors.map(\.description))
        }
        return reply
    }

    private func traceCommand(_ arguments: [String]) -> REPLReply {
        switch arguments.first {
        case "on"?:
            trace.enabled = true
            return REPLReply(output: "trace on: the rule lines each input runs are shown after its result\n")
        case "off"?:
            trace.enabled = false
            return REPLReply(output: "trace off\n")
        default:
            return REPLReply(errors: "usage: :trace on|off (now \(trace.enabled ? "on" : "off"))\n")
        }
    }

    private func reload() -> REPLReply {
        let fresh: REPLLua
        do {
            (fresh, warnings) = try REPLSession.load(options)
        } catch {
            return REPLReply(errors: "\(error)\nreload failed; the session keeps the rules it had\n")
        }
        let (kept, dropped) = lua.plainGlobals()
        fresh.bindings.now = lua.bindings.now
        for (name, value) in kept.sorted(by: { $0.key < $1.key }) { fresh.setGlobal(name, value) }
        lua = fresh
        trace.attach(to: lua)
        var message = warnings.map { "warning: \($0)\n" }.joined() + "reloaded \(options.rules.path): \(lua.engine.definedHooks.joined(separator: ", ")); "
            + "\(lua.postings.count) posting(s), \(lua.returns.count) return(s)"
        if !kept.isEmpty { message += "; kept \(kept.keys.sorted().joined(separator: ", "))" }
        if !dropped.isEmpty { message += "; dropped \(dropped.joined(separator: ", ")) (not plain data)" }
        return REPLReply(output: message + "\n")
    }

    /// Runs `body`, adding the rule lines it executed when tracing is on.
    private func traced(_ body: () -> REPLReply) -> REPLReply {
        trace.start()
        var reply = body()
        let lines = trace.finish()
        if !lines.isEmpty { reply.output += REPLSession.lines(lines) }
        return reply
    }

    // MARK: - Completion

    /// Completions of the word `text` (a global, `a.b.c` fields, `s:method`, or a `:command`).
    public func completions(for text: String) -> [String] {
        if text.hasPrefix(":") && pending.isEmpty {
            return REPLSession.commands.filter { $0.hasPrefix(text) }
        }
        let separators: Set<Character> = [".", ":"]
        var path: [String] = []
        var head = ""
        var partial = Substring(text)
        if let last = text.lastIndex(where: { separators.contains($0) }) {
            head = String(text[...last])
            partial = text[text.index(after: last)...]
            let components = text[..<last].split(whereSeparator: { separators.contains($0) }).map(String.init)
            guard !components.isEmpty,
                  components.allSatisfy({ $0.first.map { $0.isLetter || $0 == "_" } == true && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
            else { return [] }
            path = components
        }
        var names = lua.keys(at: path).filter { $0.hasPrefix(partial) }
        if path.isEmpty { names += REPLSession.keywords.filter { $0.hasPrefix(partial) && !names.contains($0) } }
        return names.sorted().map { head + $0 }
    }

    static let keywords = ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
                           "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"]

    // MARK: - Loading

    private static func load(_ options: REPLOptions) throws(REPLStartError) -> (REPLLua, [String]) {
        let folder: RulesFolder
        do {
            folder = try RulesFolder(root: options.rules)
        } catch {
            throw .missingRules(error)
        }
        let engine: RulesEngine
        do {
            engine = try RulesEngine(folder: folder, limits: options.limits)
        } catch {
            throw .rulesDoNotLoad(error)
        }
        var postings: [Posting] = []
        var returns: [ReturnEvent] = []
        var warnings: [String] = []
        if let file = options.postingsFile {
            let items: [InputItem]
            do {
                items = try InputDecoder.decode(path: file)
            } catch {
                throw .unreadablePostings(error)
            }
            for item in items {
                switch item {
                case .posting(let posting, _): postings.append(posting)
                case .returnEvent(let event, _): returns.append(event)
                case .failure(let error): warnings.append(error.description)
                }
            }
        }
        do {
            return (try REPLLua(engine: engine, postings: postings, returns: returns, now: options.now), warnings)
        } catch {
            throw .setup(error)
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
