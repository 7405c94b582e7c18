// Microbenchmark: the cost of one protected call of a small Lua function with a
// 5-field table argument from Swift, against the same loop inside plain lua5.4.
//
//   swift run -c release luakit-bench [iterations]
import Foundation
import LuaKit

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000

/// Nanoseconds per call; `prebuilt` passes one Swift value built once (as the
/// rules engine does with a posting), otherwise a new one is built per call.
func measureSwift(prebuilt: Bool) throws -> Double {
    let sandbox = try Sandbox()
    let chunk = try sandbox.load(source: "return function(t)\n  return t.a + t.b, t.c\nend\n", chunkName: "bench.lua")
    let hook = try sandbox.state.callKeepingResults(chunk)[0]
    let clock = ContinuousClock()
    let started = clock.now
    let shared: LuaValue = .table(["a": 1, "b": 2, "c": "cdek", "d": true, "e": 3.5])
    for index in 0..<iterations {
        let argument: LuaValue = prebuilt ? shared : .table(["a": .integer(Int64(index)), "b": 2, "c": "cdek", "d": true, "e": 3.5])
        _ = try sandbox.state.call(hook, [.value(argument)])
    }
    let elapsed = clock.now - started
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    return nanoseconds / Double(iterations)
}

func measureLua() throws -> Double? {
    let script = ["bench/protected_call_baseline.lua", "../bench/protected_call_baseline.lua"]
        .first { FileManager.default.fileExists(atPath: $0) }
    guard let script else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["lua5.4", script, String(iterations)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return Double(output.trimmingCharacters(in: .whitespacesAndNewlines))
}

let swiftCost = try measureSwift(prebuilt: true)
let swiftBuildingCost = try measureSwift(prebuilt: false)
print(String(format: "LuaKit, argument value built once:    %7.1f ns per protected call (%d calls)", swiftCost, iterations))
print(String(format: "LuaKit, argument value built per call: %7.1f ns per protected call", swiftBuildingCost))
if let luaCost = try measureLua() {
    print(String(format: "plain lua5.4 (table built per call):   %7.1f ns per pcall", luaCost))
    print(String(format: "ratio LuaKit / lua5.4: %.2f (built once), %.2f (built per call)", swiftCost / luaCost, swiftBuildingCost / luaCost))
} else {
    print("lua5.4 baseline skipped: run from the repository root with lua5.4 installed")
}
