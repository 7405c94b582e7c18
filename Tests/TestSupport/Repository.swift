import Foundation

/// Where the repository and its examples are, for every test target.
public enum Repository {
    /// The repository root (this file is `Tests/TestSupport/Repository.swift`).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let exampleRules = root.appendingPathComponent("examples/rules")
    public static let examplePostings = root.appendingPathComponent("examples/postings")
}
