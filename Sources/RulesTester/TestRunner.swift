import Foundation
import LuaKit
import PostingModel
import RulesEngine

/// What `ozon-rules test` was asked to do.
public struct TestOptions: Sendable {
    public var rules: URL
    /// Test files or folders; empty means `<rules>/tests/*_test.lua`.
    public var paths: [String]
    /// `--run`: keep tests whose full name contains this text or matches it as a Lua pattern.
    public var filter: String?
    public var coverage: Bool
    /// Percent; setting it also measures coverage.
    public var coverageThreshold: Double?
    public var limits: LuaLimits
    /// The default evaluation time of the test helpers (`set_now` changes it per file).
    public var now: Timestamp

    public init(
        rules: URL, paths: [String] = [], filter: String? = nil, coverage: Bool = false, coverageThreshold: Double? = nil,
        limits: LuaLimits = .standard, now: Timestamp = .now()
    ) {
        self.rules = rules
        self.paths = paths
        self.filter = filter
        self.coverage = coverage
        self.coverageThreshold = coverageThreshold
        self.limits = limits
        self.now = now
    }
}

/// Why a run could not start.
public enum TestRunError: Error, Sendable, CustomStringConvertible {
    /// The rules folder does not exist (exit code 2).
    case missingRules(RulesFolder.MissingError)
    /// A test path does not exist (exit code 2).
    case missingPath(TestFiles.NotFound)
    /// The rules do not load (exit code 1): every problem, as `check` prints them.
    case rulesDoNotLoad(RulesLoadError)
    /// The Lua side of the runner could not start.
    case setup(LuaError)

    public var description: String {
        switch self {
        case .missingRules(let error): error.description
        case .missingPath(let error): error.description
        case .rulesDoNotLoad(let error): error.description
        case .setup(let error): "cannot start the test runner: \(error)"
        }
    }
}

/// Runs Lua test files against a rules folder, in the rules' own sandbox,
/// with the hooks' limits on every test.
public enum TestRunner {
    public static func run(_ options: TestOptions) throws(TestRunError) -> TestReport {
        let started = ContinuousClock.now
        let folder: RulesFolder
        do {
            folder = try RulesFolder(root: options.rules)
        } catch {
            throw .missingRules(error)
        }
        let files: [TestFile]
        do {
            files = try TestFiles.find(rules: folder.root, paths: options.paths)
        } catch {
            throw .missingPath(error)
        }
        let measure = options.coverage || options.coverageThreshold != nil
        let collector = measure ? CoverageCollector(folder: folder) : nil
        let engine: RulesEngine
        do {
            engine = try RulesEngine(folder: folder, limits: options.limits, prepare: { collector?.attach(to: $0.state) })
        } catch {
            throw .rulesDoNotLoad(error)
        }
        let session: TestSession
        do {
            session = try TestSession(engine: engine, now: options.now)
        } catch {
            throw .setup(error)
        }
        let results = files.map { session.run($0, filter: options.filter) }
        engine.toolingSandbox.state.observeLines(nil)
        return TestReport(
            rulesFolder: options.rules.path, files: results, coverage: collector?.report(),
            coverageThreshold: options.coverageThreshold, filter: options.filter,
            durationSeconds: seconds(since: started))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.inSeconds
    }
}
