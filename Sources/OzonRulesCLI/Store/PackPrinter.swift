import ExternalPrograms
import Foundation

/// Prints the packing document to PDF with headless Chromium and appends label PDFs with qpdf or
/// pdfunite. Each missing program is reported with the Debian package that provides it.
enum PackPrinter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The first of `names` on PATH (or the path in `OZON_RULES_CHROMIUM` for Chromium).
    static func find(_ names: [String], override: String? = nil) -> String? {
        if let override, !override.isEmpty, FileManager.default.isExecutableFile(atPath: override) { return override }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in names {
            for folder in path.split(separator: ":") {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    static func chromium() -> String? {
        find(["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"],
             override: ProcessInfo.processInfo.environment["OZON_RULES_CHROMIUM"])
    }

    static let noChromium = "--format pdf needs headless Chromium and none was found (looked for chromium, chromium-browser, google-chrome on PATH and OZON_RULES_CHROMIUM); install the Debian package 'chromium' (scripts/bootstrap.sh --test does)"

    /// Prints `html` (a file) to `pdf`.
    static func printPDF(html: URL, to pdf: URL, chromium: String) async throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-pack-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        try? FileManager.default.removeItem(at: pdf)
        let result = try await run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--user-data-dir=\(profile.path)", "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)",
            html.absoluteString,
        ])
        guard FileManager.default.fileExists(atPath: pdf.path) else {
            throw Failure(description: "Chromium did not write \(pdf.path) (exit \(result.status)): \(result.stderr.suffix(600))")
        }
    }

    /// qpdf or pdfunite, whichever is installed.
    static func concatenator() -> String? { find(["qpdf", "pdfunite"]) }

    static let noConcatenator = "--labels appends the label PDFs with qpdf or pdfunite and neither was found; install the Debian package 'poppler-utils' (scripts/bootstrap.sh --test does)"

    /// Concatenates `parts` into `output`, in order.
    static func concatenate(_ parts: [URL], to output: URL) async throws {
        if let qpdf = find(["qpdf"]) {
            let result = try await run(qpdf, ["--empty", "--pages"] + parts.map(\.path) + ["--", output.path])
            // qpdf exits 3 for warnings with a written file.
            guard result.status == 0 || result.status == 3 else { throw Failure(description: "qpdf failed: \(result.stderr)") }
        } else if let pdfunite = find(["pdfunite"]) {
            let result = try await run(pdfunite, parts.map(\.path) + [output.path])
            guard result.status == 0 else { throw Failure(description: "pdfunite failed: \(result.stderr)") }
        } else {
            throw Failure(description: noConcatenator)
        }
    }

    /// Runs `program` to its end (off the cooperative pool: a print takes seconds); one still
    /// running after `timeout` seconds is killed (a browser without a display stack has been
    /// seen to hang).
    static func run(_ program: String, _ arguments: [String], timeout: Double = 600) async throws -> ProgramRunner.Result {
        try await ProgramRunner.run(URL(fileURLWithPath: program), arguments, timeout: timeout)
    }
}
