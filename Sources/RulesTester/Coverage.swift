import LuaKit
import RulesEngine

/// Line coverage of one rule file.
public struct FileCoverage: Sendable, Hashable {
    /// Relative to the rules folder (`carrier.lua`, `lib/tariffs.lua`).
    public var file: String
    /// Lines that hold code (see `CodeLines`), sorted.
    public var coverable: [Int]
    /// The coverable lines that ran, sorted.
    public var covered: [Int]

    public var uncovered: [Int] {
        let hit = Set(covered)
        return coverable.filter { !hit.contains($0) }
    }

    /// Covered lines as a percentage of coverable ones (100 for a file without code).
    public var percent: Double { coverable.isEmpty ? 100 : Double(covered.count) * 100 / Double(coverable.count) }
}

/// Line coverage of every rule file: hooks and `lib/`.
public struct CoverageReport: Sendable, Hashable {
    public var files: [FileCoverage]
    /// Files whose code lines could not be determined, with the reason.
    public var problems: [String]

    public var coverableCount: Int { files.reduce(0) { $0 + $1.coverable.count } }
    public var coveredCount: Int { files.reduce(0) { $0 + $1.covered.count } }
    public var percent: Double { coverableCount == 0 ? 100 : Double(coveredCount) * 100 / Double(coverableCount) }
}

/// Records the lines the rule files execute, through LuaKit's line hook.
///
/// Attach it before the rules load (top-level code counts too). Only files of
/// the rules set are recorded; test files and host chunks are ignored.
final class CoverageCollector {
    private var hits: [String: Set<Int>] = [:]
    private let sources: [String: String]

    init(folder: RulesFolder) {
        var sources = folder.libSources
        for (hook, source) in folder.hookSources { sources[hook.fileName] = source }
        self.sources = sources
        for file in sources.keys { hits[file] = [] }
    }

    func attach(to state: LuaState) {
        state.observeLines { [weak self] file, line in
            guard let self, self.hits[file] != nil else { return }
            self.hits[file]!.insert(line)
        }
    }

    func report() -> CoverageReport {
        var files: [FileCoverage] = []
        var problems: [String] = []
        for file in sources.keys.sorted() {
            do {
                let coverable = try CodeLines.lines(source: sources[file]!, chunkName: file)
                let hit = hits[file] ?? []
                files.append(FileCoverage(file: file, coverable: coverable, covered: coverable.filter { hit.contains($0) }))
            } catch {
                problems.append("\(file): \(error)")
            }
        }
        return CoverageReport(files: files, problems: problems)
    }
}
