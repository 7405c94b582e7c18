import Foundation



import PostingModel
import RulesEngine
import TestSupport
import Testing

@Suite("SHA-256 and the rules version")
struct DigestTests {
    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func vectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("feeding bytes in pieces gives the same digest")
    func incremental() {
        var hasher = SHA256()
        let text = Array(String(repeating: "ozon-rules ", count: 50).utf8)
        for chunk in stride(from: 0, to: text.count, by: 37) { hasher.update(text[chunk..<min(chunk + 37, text.count)]) }
        #expect(hasher.hexDigest() == SHA256.hex(text))
    }

    @Test("the rules version changes with any file's content or name, and only then")
    func rulesVersion() {
        let base = RulesVersion(files: ["carrier.lua": Array("return 1".utf8), "lib/a.lua": Array("x".utf8)])
        #expect(base.digest.count == 64)
        #expect(base == RulesVersion(files: ["lib/a.lua": Array("x".utf8), "carrier.lua": Array("return 1".utf8)]))
        #expect(base.digest != RulesVersion(files: ["carrier.lua": Array("return 2".utf8), "lib/a.lua": Array("x".utf8)]).digest)
        #expect(base.digest != RulesVersion(files: ["carrier.lua": Array("return 1".utf8), "lib/b.lua": Array("x".utf8)]).digest)
        // Moving bytes between files changes it too.
        #expect(
            RulesVersion(files: ["a": Array("ab".utf8), "b": Array("c".utf8)]).digest
                != RulesVersion(files: ["a": Array("a".utf8), "b": Array("bc".utf8)]).digest)
        #expect(base.files["carrier.lua"] == SHA256.hex(Array("return 1".utf8)))
    }

    @Test("the example rules have a stable version")
    func exampleRules() throws {
        let folder = try RulesFolder(root: Repository.exampleRules)
        #expect(RulesVersion(folder: folder) == RulesVersion(folder: try RulesFolder(root: Repository.exampleRules)))
        #expect(RulesVersion(folder: folder).files.keys.contains("lib/tariffs.lua"))
        #expect(RulesVersion(folder: folder).files.keys.contains("catalog.json"))
    }
}
