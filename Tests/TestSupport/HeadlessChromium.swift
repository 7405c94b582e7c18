import ExternalPrograms
import Foundation

/// Debian's chromium, headless, for checking generated HTML in a real browser: the DOM after
/// scripts ran, the console messages, screenshots. Shared by the test targets.
public enum HeadlessChromium {
    /// The first chromium on PATH (or $CHROMIUM), nil when none is installed.
    public static let path: String? = {
        if let explicit = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) {
            return explicit
        }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "chromium is not installed (Debian: apt-get install chromium)" }
    }

    public struct Page {
        public var dom: String
        /// Lines chromium logged from the page's console (`CONSOLE`), errors included.
        public var console: [String]
        public var exitCode: Int32
    }

    /// Loads a file headless and returns the DOM after scripts ran, and the console lines.
    public static func load(_ file: String, profile: String) async throws -> Page {
        guard let path else { throw Missing() }
        let result = try await run(path, [
            "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=\(profile)",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000", "--dump-dom", URL(fileURLWithPath: file).absoluteString,
        ], timeout: 60)
        let console = result.stderr.split(separator: "\n").map(String.init)
            .filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        return Page(dom: result.stdout, console: console, exitCode: result.status)
    }

    /// A PNG of `url` at twice the CSS pixel density; the program's result (the file may be
    /// missing when it failed).
    @discardableResult
    public static func screenshot(_ url: String, to png: URL, width: Int, height: Int, profile: String) async throws -> ProgramResult {
        guard let path else { throw Missing() }
        try? FileManager.default.removeItem(at: png)
        return try await run(path, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)", "--hide-scrollbars",
            "--force-device-scale-factor=2", "--window-size=\(width),\(height)", "--screenshot=\(png.path)", url,
        ])
    }

    /// Where screenshots and documents are kept after the run (not a temporary folder):
    /// `.build/test-artifacts/<name>` in the repository.
    public static func artifacts(_ name: String) -> URL {
        let folder = Repository.root.appendingPathComponent(".build/test-artifacts/\(name)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    public typealias ProgramResult = ProgramRunner.Result

    /// Runs `program` to its end, off the cooperative pool; one still running after `timeout`
    /// seconds is killed (chromium has hung on machines without a display stack).
    public static func run(_ program: String, _ arguments: [String], timeout: Double = 120) async throws -> ProgramResult {
        try await ProgramRunner.run(URL(fileURLWithPath: program), arguments, timeout: timeout)
    }
}
