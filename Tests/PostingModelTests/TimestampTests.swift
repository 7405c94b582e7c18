import PostingModel
import Testing

@Suite("The one time type")
struct TimestampTests {
    @Test("ISO 8601 round trip, offsets and arithmetic in whole seconds")
    func iso() throws {
        let t = try #require(Timestamp(iso8601: "2026-05-20T12:00:00Z"))
        #expect(t.unixSeconds == 1_779_278_400)
        #expect(t.iso8601 == "2026-05-20T12:00:00Z")
        #expect(Timestamp(iso8601: "2026-05-20T15:00:00+03:00") == t)
        #expect(t.adding(seconds: 3600).iso8601 == "2026-05-20T13:00:00Z")
        #expect(t.adding(seconds: 90).seconds(since: t) == 90)
        #expect(t < t.adding(seconds: 1))
        #expect(Timestamp(iso8601: "20 May 2026") == nil)
    }

    @Test("HTTP dates, as in Retry-After", arguments: [
        ("Wed, 21 Oct 2015 07:28:00 GMT", Int64?(1_445_412_480)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Wed, 21 Oct 2015 07:28:00 UTC", nil),
        ("21 Oct 2015 07:28:00 GMT", nil),
        ("Wed, 21 Foo 2015 07:28:00 GMT", nil),
        ("Wed, 21 Oct 2015 25:28:00 GMT", nil),
    ])
    func httpDate(_ text: String, _ expected: Int64?) {
        #expect(UTCTime.parseHTTPDate(text) == expected)
    }
}
