import FakeOzonAPI
import Foundation
import OzonSellerAPI
import PostingModel
import Testing

func samplePosting(_ number: String, status: String = "awaiting_packaging", tpl: String = "ozon",
                   products: [(Int64, Int64)] = [(1734059281, 2)]) -> JSONValue {
    [
        "posting_number": .string(number),
        "order_number": .string(String(number.dropLast(2))),
        "status": .string(status),
        "substatus": "posting_created",
        "tpl_integration_type": .string(tpl),
        "tracking_number": "",
        "shipment_date": "2030-01-01T09:00:00Z",
        "is_express": false,
        "products": .array(products.map { sku, quantity in
            ["sku": .number(JSONNumber(integer: sku)), "offer_id": .string("OFFER-\(sku)"), "name": "Кружка",
             "quantity": .number(JSONNumber(integer: quantity)), "price": "649.0000", "currency_code": "RUB"]
        }),
    ]
}

func withFake<T>(_ body: (FakeOzonAPI, OzonClient) async throws -> T, retry: RetryPolicy = RetryPolicy(circuitOpenDelay: 0.2, transportDelay: 0.05)) async throws -> T {
    let fake = FakeOzonAPI()
    try await fake.start()
    let client = OzonClient(credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL,
                            timeoutSeconds: 20, retry: retry)
    do {
        let result = try await body(fake, client)
        await fake.stop()
        return result
    } catch {
        await fake.stop()
        throw error
    }
}

@Suite struct ClientTests {
    @Test func readsAPostingWithTheCredentialsHeaders() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("100-1"))
            let posting = try await client.posting("100-1")
            #expect(posting.postingNumber == "100-1")
            #expect(posting.status == .awaitingPackaging)
            let calls = fake.received("/v3/posting/fbs/get")
            #expect(calls.count == 1)
            #expect(calls[0].apiKeyMatched)
            #expect(calls[0].body["posting_number"]?.stringValue == "100-1")
        }
    }

    @Test func retriesA429AfterRetryAfter() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("100-1"))
            fake.fail("/v3/posting/fbs/get", with: [.tooManyRequests(retryAfter: "1")])
            let started = Date()
            let posting = try await client.posting("100-1")
            let elapsed = Date().timeIntervalSince(started)
            #expect(posting.postingNumber == "100-1")
            let calls = fake.received("/v3/posting/fbs/get")
            #expect(calls.count == 2)
            // The second attempt came no earlier than Retry-After allowed.
            #expect(calls[1].at.timeIntervalSince(calls[0].at) >= 0.95)
            #expect(elapsed >= 0.95)
        }
    }

    @Test func retriesCircleIsOpen() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("100-1"))
            fake.fail("/v4/posting/fbs/ship", with: [.circuitOpen])
            let numbers = try await client.ship("100-1", packages: [ShipPackage(items: [.init(sku: 1734059281, quantity: 2)])])
            #expect(numbers == ["100-1"])
            let calls = fake.received("/v4/posting/fbs/ship")
            #expect(calls.count == 2)
            #expect(calls[1].at.timeIntervalSince(calls[0].at) >= 0.19)
        }
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        try await withFake({ fake, client in
            fake.put(posting: samplePosting("100-1"))
            fake.fail("/v3/posting/fbs/get", with: Array(repeating: .tooManyRequests(retryAfter: "0"), count: 5))
            await #expect(throws: OzonAPIError.self) { _ = try await client.posting("100-1") }
            do {
                _ = try await client.posting("100-1")
            } catch {
                Issue.record("the fake had only 5 failures queued: \(error)")
            }
            #expect(fake.received("/v3/posting/fbs/get").count == 6)
        }, retry: RetryPolicy(maxAttempts: 3, defaultRetryAfter: 0, circuitOpenDelay: 0, transportDelay: 0))
    }

    @Test func turnsOzonsErrorBodyIntoAnError() async throws {
        try await withFake { _, client in
            do {
                _ = try await client.posting("nope-1")
                Issue.record("expected an error")
            } catch {
                guard let error = error as? OzonAPIError, case .api(let path, let status, let code, let message, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(path == "/v3/posting/fbs/get")
                #expect(status == 404)
                #expect(code == 5)
                #expect(message == "POSTING_NOT_FOUND")
                #expect(error.description == "Ozon /v3/posting/fbs/get: HTTP 404, code 5: POSTING_NOT_FOUND")
            }
        }
    }

    @Test func aWrongKeyIsAnErrorThatDoesNotShowTheKey() async throws {
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let client = OzonClient(credentials: OzonCredentials(clientID: fake.clientID, apiKey: "secret-wrong-key"), baseURL: fake.baseURL)
        do {
            _ = try await client.posting("100-1")
            Issue.record("expected an error")
        } catch {
            #expect(error.ozonMessage == "Invalid Api-Key, please check the key and try again")
            #expect(!error.description.contains("secret-wrong-key"))
        }
        await fake.stop()
    }

    @Test func shipSendsTheSKUAsProductID() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("100-1", products: [(11, 1), (22, 3)]))
            let numbers = try await client.ship("100-1", packages: [
                ShipPackage(items: [.init(sku: 11, quantity: 1), .init(sku: 22, quantity: 1)]),
                ShipPackage(items: [.init(sku: 22, quantity: 2)]),
            ])
            #expect(numbers == ["100-1", "100-1-2"])
            let body = try #require(fake.received("/v4/posting/fbs/ship").first?.body)
            #expect(JSONWriter.write(body["packages"]!, sortedKeys: true)
                == #"[{"products":[{"product_id":11,"quantity":1},{"product_id":22,"quantity":1}]},{"products":[{"product_id":22,"quantity":2}]}]"#)
            #expect(fake.posting("100-1")?["status"]?.stringValue == "awaiting_deliver")
        }
    }

    @Test func followsTheCursorOfTheV4Lists() async throws {
        try await withFake { fake, client in
            for i in 1...5 { fake.put(posting: samplePosting("200-\(i)")) }
            let all = try await client.allPostings(OzonClient.Path.unfulfilledList, filter: ["cutoff_from": "2026-01-01T00:00:00Z"], limit: 2)
            #expect(all.compactMap { $0["posting_number"]?.stringValue } == (1...5).map { "200-\($0)" })
            let calls = fake.received(OzonClient.Path.unfulfilledList)
            #expect(calls.count == 3)
            #expect(calls[0].body["cursor"] == nil)
            #expect(calls[1].body["cursor"]?.stringValue == "2")
        }
    }

    @Test func trackingNumbersStatusMovesCancelAndReturns() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("300-1", status: "awaiting_deliver", tpl: "non_integrated"))
            let set = try await client.setTrackingNumbers([("300-1", "RA123456789RU"), ("missing-1", "X")])
            #expect(set == [PostingActionResult(postingNumber: "300-1", ok: true, error: nil),
                            PostingActionResult(postingNumber: "missing-1", ok: false, error: "POSTING_NOT_FOUND")])
            #expect(fake.posting("300-1")?["tracking_number"]?.stringValue == "RA123456789RU")
            let moved = try await client.move(["300-1"], to: .delivering)
            #expect(moved.allSatisfy { $0.ok })
            #expect(fake.posting("300-1")?["status"]?.stringValue == "delivering")
            #expect(try await client.cancel("300-1", reasonID: 352))
            #expect(fake.received(OzonClient.Path.cancel).first?.body["cancel_reason_id"]?.int64Value == 352)

            fake.put(returns: [["id": 7, "posting_number": "300-1"]])
            fake.put(rfbsReturns: [["return_id": 9, "posting_number": "300-1", "available_actions": [["id": 1020, "name": "Компенсация"]]]])
            let page = try await client.returnsPage(filter: [:])
            #expect(page.returns.count == 1 && page.lastID == 7)
            let rfbs = try await client.rfbsReturnsPage(filter: [:])
            #expect(rfbs.returns.count == 1 && rfbs.lastID == 9)
            #expect(try await client.rfbsReturn(9)["posting_number"]?.stringValue == "300-1")
            _ = try await client.rfbsReturnAction(9, actionID: 1020, fields: ["compensation_amount": 300])
            #expect(fake.received(OzonClient.Path.rfbsReturnAction).first?.body["id"]?.int64Value == 1020)
        }
    }

    @Test func splitsTrackingNumbersByTwenty() async throws {
        try await withFake { fake, client in
            let numbers = (1...25).map { (postingNumber: "400-\($0)", trackingNumber: "T\($0)") }
            for n in numbers { fake.put(posting: samplePosting(n.postingNumber, status: "awaiting_deliver")) }
            let results = try await client.setTrackingNumbers(numbers)
            #expect(results.count == 25 && results.allSatisfy { $0.ok })
            #expect(fake.received(OzonClient.Path.trackingNumberSet).map { $0.body["tracking_numbers"]?.arrayValue?.count } == [20, 5])
        }
    }

    @Test func anActionIsNotRetriedAfterAConnectionFailure() async throws {
        // Nothing listens on this port: a read is retried, an action is not.
        let client = OzonClient(credentials: OzonCredentials(clientID: "1", apiKey: "k"), baseURL: "http://127.0.0.1:9",
                                timeoutSeconds: 2, retry: RetryPolicy(maxAttempts: 3, transportDelay: 0.01))
        nonisolated(unsafe) var attempts: [String: Int] = [:]
        let lock = NSLock()
        let recording = OzonClient(credentials: OzonCredentials(clientID: "1", apiKey: "k"), baseURL: client.baseURL,
                                   timeoutSeconds: 2, retry: client.retry, observer: { exchange in
                                       lock.lock(); attempts[exchange.path] = exchange.attempts; lock.unlock()
                                   })
        await #expect(throws: OzonAPIError.self) { _ = try await recording.posting("1-1") }
        await #expect(throws: OzonAPIError.self) { _ = try await recording.cancel("1-1", reasonID: 352) }
        #expect(attempts[OzonClient.Path.postingGet] == 3)
        #expect(attempts[OzonClient.Path.cancel] == 1)
    }
}

@Suite struct RateLimiterTests {
    final class Clock: @unchecked Sendable {
        var now = 0.0
    }

    @Test func fiftyPerSecondThenWaits() async {
        let clock = Clock()
        let limiter = RateLimiter(perClient: .perSecond(50), methodLimits: [:], clock: { clock.now })
        var waits: [Double] = []
        for _ in 0..<52 { waits.append(await limiter.reserve(path: "/v3/posting/fbs/get")) }
        #expect(waits.prefix(50).allSatisfy { $0 == 0 })
        #expect(abs(waits[50] - 0.02) < 1e-9)
        #expect(abs(waits[51] - 0.04) < 1e-9)
        clock.now = 10
        #expect(await limiter.reserve(path: "/v3/posting/fbs/get") == 0)
    }

    @Test func aMethodLimitIsTighter() async {
        let clock = Clock()
        let limiter = RateLimiter(perClient: .perSecond(50), methodLimits: ["/v1/warehouse/list": .perMinute(1)], clock: { clock.now })
        #expect(await limiter.reserve(path: "/v1/warehouse/list") == 0)
        #expect(abs(await limiter.reserve(path: "/v1/warehouse/list") - 60) < 1e-9)
        #expect(await limiter.reserve(path: "/v3/posting/fbs/get") == 0)
    }

    @Test func theClientPacesItsRequests() async throws {
        try await withFake { fake, _ in
            fake.put(posting: samplePosting("100-1"))
            let client = OzonClient(credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL,
                                    limiter: RateLimiter(perClient: .perSecond(10), methodLimits: [:]))
            let started = Date()
            for _ in 0..<15 { _ = try await client.posting("100-1") }
            // 10 at once, then 5 more at 10/s.
            #expect(Date().timeIntervalSince(started) >= 0.45)
        }
    }
}

@Suite struct CredentialsTests {
    @Test func fromTheEnvironment() {
        let found = OzonCredentials.fromEnvironment(["OZON_CLIENT_ID": "123", "OZON_API_KEY": "key-abc"])
        #expect(found == OzonCredentials(clientID: "123", apiKey: "key-abc"))
        #expect(OzonCredentials.fromEnvironment(["OZON_CLIENT_ID": "123"]) == nil)
        #expect(!"\(found!)".contains("key-abc"))
        #expect(!String(reflecting: found!).contains("key-abc"))
    }

    @Test func fromAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("c.json").path
        try #"{"client_id": 123, "api_key": "k1"}"#.write(toFile: json, atomically: true, encoding: .utf8)
        #expect(try OzonCredentials.fromFile(json) == OzonCredentials(clientID: "123", apiKey: "k1"))
        let env = dir.appendingPathComponent("c.env").path
        try "# shop\nOZON_CLIENT_ID=77\nOZON_API_KEY=\"k2\"\n".write(toFile: env, atomically: true, encoding: .utf8)
        #expect(try OzonCredentials.fromFile(env) == OzonCredentials(clientID: "77", apiKey: "k2"))
        let bad = dir.appendingPathComponent("bad").path
        try "OZON_API_KEY=only-the-key-xyz\n".write(toFile: bad, atomically: true, encoding: .utf8)
        do {
            _ = try OzonCredentials.fromFile(bad)
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("only-the-key-xyz"))
        }
    }

    @Test func retryAfterAsSecondsOrDate() {
        #expect(OzonClient.parseRetryAfter("3") == 3)
        #expect(OzonClient.parseRetryAfter("0.5") == 0.5)
        #expect(OzonClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(OzonClient.parseRetryAfter("soon") == nil)
    }
}
