import ExternalPrograms
import FakeOzonAPI
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OzonSellerAPI
import PostingModel
import TestSupport
import Testing

func returnRequest(_ id: Int64, posting: String = "500-1", group: String = "New") -> JSONValue {
    FakeOzonAPI.sampleReturnRequest(id, posting: posting, group: group)
}

func cancellationRequest(_ id: Int64, posting: String, state: String = "ON_APPROVAL") -> JSONValue {
    FakeOzonAPI.sampleCancellationRequest(id, posting: posting, state: state)
}

/// Whether an error is the client's "outcome unknown" (a failed connection or a timeout).
func isUnknownOutcome(_ error: OzonAPIError) -> Bool {
    switch error {
    case .transport, .timeout: return true
    default: return false
    }
}

@Suite struct LabelTests {
    @Test func currentMethodsCreatePollAndDownload() async throws {
        try await withFake { fake, client in
            fake.configure { $0.labelPollsBeforeReady = 2 }
            fake.put(posting: samplePosting("600-1", status: "awaiting_deliver"))
            fake.put(posting: samplePosting("600-2", status: "awaiting_packaging"))
            let tasks = try await client.createLabelTasks(["600-1", "600-2"])
            #expect(tasks.count == 1)
            #expect(tasks[0].taskType == "big_label")
            #expect(tasks[0].postingNumbers == ["600-1", "600-2"])
            let body = try #require(fake.received(OzonClient.Path.labelCreateV3).first?.body)
            #expect(JSONWriter.write(body) == #"{"posting_numbers":["600-1","600-2"]}"#)

            let first = try await client.labelTask(tasks[0].taskID)
            #expect(first.state == .pending && first.isPending && first.fileURL == nil)
            #expect(try await client.labelTask(tasks[0].taskID).state == .inProgress)
            let done = try await client.labelTask(tasks[0].taskID)
            #expect(done.state == .completed)
            #expect(done.printedPostingsCount == 1)
            #expect(done.postingsCount == 2)
            #expect(done.unprinted == [.init(postingNumber: "600-2", message: "POSTING_IS_NOT_AWAITING_DELIVER")])
            let url = try #require(done.fileURL)
            #expect(fake.received(OzonClient.Path.labelGetV2).first?.body["task_id"]?.int64Value == tasks[0].taskID)

            let pdf = try await client.downloadLabel(url: url)
            let text = String(decoding: pdf, as: UTF8.self)
            #expect(text.hasPrefix("%PDF-1.4"))
            #expect(text.contains("(Ozon package label big_label posting 600-1) Tj"))
            #expect(!text.contains("600-2"))
            #expect(fake.sideEffects(path: OzonClient.Path.labelCreateV3).count == 1)
        }
    }

    @Test func legacyMethodsAreAValueAway() async throws {
        let fake = FakeOzonAPI()
        try await fake.start()
        let client = OzonClient(credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL,
                                timeoutSeconds: 20, labelMethods: .legacy)
        fake.configure { $0.labelPollsBeforeReady = 0; $0.labelTaskTypes = ["big_label", "small_label"] }
        fake.put(posting: samplePosting("610-1", status: "awaiting_deliver"))
        fake.put(posting: samplePosting("610-2", status: "cancelled"))
        let tasks = try await client.createLabelTasks(["610-1", "610-2"])
        #expect(tasks.map(\.taskType) == ["big_label", "small_label"])
        #expect(JSONWriter.write(try #require(fake.received(OzonClient.Path.labelCreateV2).first?.body)) == #"{"posting_number":["610-1","610-2"]}"#)
        let status = try await client.labelTask(tasks[1].taskID)
        #expect(status.state == .completed)
        #expect(status.unprinted.map(\.message) == ["POSTING_IS_NOT_AWAITING_DELIVER"])
        #expect(status.error == nil)
        #expect(fake.received(OzonClient.Path.labelGetV1).count == 1)
        #expect(fake.received(OzonClient.Path.labelGetV2).isEmpty)
        await fake.stop()
    }

    @Test func aJobWithNothingPrintableEndsInError() async throws {
        try await withFake { fake, client in
            fake.configure { $0.labelPollsBeforeReady = 0 }
            fake.put(posting: samplePosting("620-1", status: "awaiting_packaging"))
            let task = try #require(try await client.createLabelTasks(["620-1"]).first)
            let status = try await client.labelTask(task.taskID)
            #expect(status.state == .error)
            #expect(status.error == "NO_POSTINGS_FOR_BATCH_DOWNLOAD: none of the postings is awaiting_deliver")
            #expect(status.fileURL == nil)
        }
    }

    @Test func moreThanTwentyPostingsAreSplit() async throws {
        try await withFake { fake, client in
            let numbers = (1...25).map { "630-\($0)" }
            for n in numbers { fake.put(posting: samplePosting(n, status: "awaiting_deliver")) }
            let tasks = try await client.createLabelTasks(numbers)
            #expect(tasks.map(\.postingNumbers.count) == [20, 5])
            #expect(fake.received(OzonClient.Path.labelCreateV3).map { $0.body["posting_numbers"]?.arrayValue?.count } == [20, 5])
        }
    }

    @Test func theFakesPDFHasOnePagePerPostingAndAValidCrossReference() throws {
        let pdf = FakeOzonAPI.pdf(pages: ["posting 1-1", "posting 2-1"])
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.contains("/Count 2"))
        // startxref points at the xref keyword.
        let start = try #require(text.range(of: "startxref\n"))
        let offset = try #require(Int(text[start.upperBound...].prefix { $0.isNumber }))
        #expect(String(decoding: pdf[offset..<(offset + 4)], as: UTF8.self) == "xref")
        // Each object's offset in the table is where the object starts.
        let entries = text.components(separatedBy: "\n").filter { $0.hasSuffix(" 00000 n ") }
        for (index, entry) in entries.enumerated() {
            let at = Int(entry.prefix(10))!
            #expect(String(decoding: pdf[at..<(at + 8)], as: UTF8.self).hasPrefix("\(index + 1) 0 obj"))
        }
    }

    static let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first { FileManager.default.isExecutableFile(atPath: $0) }

    // Reported as skipped, not passed, on a machine without poppler-utils (scripts/bootstrap.sh --test installs it).
    @Test(.enabled(if: pdftotext != nil, "needs pdftotext (Debian package poppler-utils)"))
    func pdftotextReadsThePostingNumbers() async throws {
        let tool = try #require(Self.pdftotext)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fake-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("l.pdf")
        try Data(FakeOzonAPI.pdf(pages: ["posting 61930528-0117-1", "posting 61930528-0118-1"])).write(to: file)
        let output = try await ProgramRunner.run(URL(fileURLWithPath: tool), [file.path, "-"], timeout: 60).stdout
        #expect(output.contains("posting 61930528-0117-1"))
        #expect(output.contains("posting 61930528-0118-1"))
    }
}

@Suite struct ReturnRequestTests {
    @Test func pagesByLastIDFilteredByGroupState() async throws {
        try await withFake { fake, client in
            for id in [11, 12, 13] as [Int64] { fake.put(rfbsReturnRequest: returnRequest(id)) }
            fake.put(rfbsReturnRequest: returnRequest(14, group: "Approved"))
            let first = try await client.rfbsReturnsPage(groupState: ["New"], limit: 2)
            #expect(first.returns.map(\.returnID) == [11, 12])
            #expect(!first.isLast)
            #expect(first.lastID == 12)
            #expect(first.returns[0].groupState == "New")
            #expect(first.returns[0].returnNumber == "500-1-11")
            let second = try await client.rfbsReturnsPage(groupState: ["New"], limit: 2, lastID: first.lastID)
            #expect(second.returns.map(\.returnID) == [13])
            #expect(second.isLast)
            let bodies = fake.received(OzonClient.Path.rfbsReturnsList).map { JSONWriter.write($0.body, sortedKeys: true) }
            #expect(bodies == [#"{"filter":{"group_state":["New"]},"limit":2}"#,
                               #"{"filter":{"group_state":["New"]},"last_id":12,"limit":2}"#])
        }
    }

    @Test func readsReturnsAsOneObjectToo() async throws {
        try await withFake { fake, client in
            fake.configure { $0.rfbsListReturnsAsObject = true }
            fake.put(rfbsReturnRequest: returnRequest(21))
            let page = try await client.rfbsReturnsPage(groupState: ["New"])
            #expect(page.returns.map(\.returnID) == [21])
            #expect(page.isLast)
            #expect(fake.received(OzonClient.Path.rfbsReturnsList).count == 1)
        }
    }

    @Test func getKeepsTheReturnIDAndReadsWrappedActions() async throws {
        try await withFake { fake, client in
            fake.put(rfbsReturnRequest: returnRequest(31))
            let request = try await client.rfbsReturnRequest(31)
            #expect(request.returnID == 31)
            #expect(request.raw["return_id"] == nil)  // as documented: get does not echo it
            #expect(request.rawWithReturnID["return_id"] == 31)
            #expect(request.availableActions == [.init(id: 1, name: "Одобрить"), .init(id: -1, name: "Отклонить"),
                                                 .init(id: 1020, name: "Частичная компенсация")])
            #expect(request.rejectionReasons == [.init(id: 7, name: "Товар использовался", hint: "Фото", isCommentRequired: true)])
            #expect(request.state == "CREATED")
            #expect(request.postingNumber == "500-1")
            #expect(request.offers(1020) && !request.offers(-10))
            // The answer's actions are in the example's {action: {id, name}} shape.
            let raw = try #require(request.raw["available_actions"]?[0])
            #expect(raw["action"]?["id"] == 1)
            // The documented {id, name} shape reads the same.
            let flat = RFBSReturnRequest(returnID: 1, object: ["available_actions": [["id": -10, "name": "Отклонить"]]])
            #expect(flat.availableActions == [.init(id: -10, name: "Отклонить")])
        }
    }

    @Test func rejectNeedsACommentAndAReason() async throws {
        try await withFake { fake, client in
            fake.put(rfbsReturnRequest: returnRequest(41))
            await #expect(throws: OzonAPIError.self) { try await client.rfbsReturnAction(returnID: 41, actionID: -1, rejectionReasonID: 7) }
            #expect(fake.received(OzonClient.Path.rfbsReturnAction).isEmpty)
            try await client.rfbsReturnAction(returnID: 41, actionID: -1, comment: "Следы использования", rejectionReasonID: 7)
            let body = try #require(fake.received(OzonClient.Path.rfbsReturnAction).first?.body)
            #expect(JSONWriter.write(body) == #"{"return_id":41,"id":-1,"comment":"Следы использования","rejection_reason_id":7}"#)
            let after = try await client.rfbsReturnRequest(41)
            #expect(after.availableActions.isEmpty)
            #expect(after.state == "REJECTED")
            #expect(fake.appliedReturnActions(41) == [-1])
            // Nothing is offered any more.
            do throws(OzonAPIError) {
                try await client.rfbsReturnAction(returnID: 41, actionID: 1)
                Issue.record("expected a refusal")
            } catch {
                #expect(error.ozonMessage == "ACTION_IS_NOT_AVAILABLE")
                #expect(error.disposition == .permanent)
            }
            #expect(fake.appliedReturnActions(41) == [-1])
        }
    }

    @Test func compensationIsANumberFromMinorUnits() async throws {
        try await withFake { fake, client in
            fake.put(rfbsReturnRequest: returnRequest(51))
            await #expect(throws: OzonAPIError.self) { try await client.rfbsReturnAction(returnID: 51, actionID: 1020) }
            try await client.rfbsReturnAction(returnID: 51, actionID: 1020, compensationAmount: Money(minorUnits: 30050, currency: "RUB"),
                                              returnForBackWay: Money(minorUnits: 25000, currency: "RUB"))
            let body = try #require(fake.received(OzonClient.Path.rfbsReturnAction).first?.body)
            #expect(JSONWriter.write(body) == #"{"return_id":51,"id":1020,"compensation_amount":300.5,"return_for_back_way":250}"#)
            #expect(fake.appliedReturnActions(51) == [1020])
            #expect(fake.rfbsReturnRequest(51)?["state"]?["group_state"]?.stringValue == "Approved")
        }
    }

    @Test func amountsHaveAtMostTwoDecimals() {
        let cases: [(Int64, String)] = [(30000, "300"), (30050, "300.5"), (30005, "300.05"), (1, "0.01"), (99_999_999_999_99, "99999999999.99")]
        for (units, text) in cases {
            #expect(JSONWriter.write(OzonClient.amountNumber(Money(minorUnits: units, currency: "RUB"))) == text)
        }
    }
}

@Suite struct CancellationRequestTests {
    @Test func listsOnApprovalAndAnswers() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("700-1", tpl: "non_integrated"))
            fake.put(posting: samplePosting("700-2", tpl: "non_integrated"))
            fake.put(cancellationRequest: cancellationRequest(51288740, posting: "700-1"))
            fake.put(cancellationRequest: cancellationRequest(51288741, posting: "700-2"))
            fake.put(cancellationRequest: cancellationRequest(51288742, posting: "700-3", state: "APPROVED"))
            let page = try await client.cancellationRequestsPage(withCounter: true)
            #expect(page.requests.map(\.cancellationID) == [51288740, 51288741])
            #expect(page.counter == 2)  // sent as a string
            #expect(page.isLast)
            #expect(page.lastID == 51288741)
            let first = page.requests[0]
            #expect(first.state == "ON_APPROVAL" && first.isOnApproval)
            #expect(first.initiator == "CLIENT")
            #expect(first.reasonID == 503 && first.reasonName == "Передумал" && first.reasonMessage == "Нашёл дешевле")
            #expect(first.autoApproveDate == Timestamp(iso8601: "2026-05-16T09:00:00Z"))
            #expect(first.raw["posting_number"] == "700-1")
            let body = try #require(fake.received(OzonClient.Path.cancellationList).first?.body)
            #expect(JSONWriter.write(body, sortedKeys: true) == #"{"filters":{"state":"ON_APPROVAL"},"limit":500,"with":{"counter":true}}"#)

            let byPosting = try await client.cancellationRequestsPage(state: nil, postingNumbers: ["700-2"])
            #expect(byPosting.requests.map(\.cancellationID) == [51288741])

            try await client.approveCancellation(id: 51288740, comment: "Ещё не собран")
            #expect(JSONWriter.write(try #require(fake.received(OzonClient.Path.cancellationApprove).first?.body))
                == #"{"cancellation_id":51288740,"comment":"Ещё не собран"}"#)
            #expect(fake.posting("700-1")?["status"]?.stringValue == "cancelled")
            try await client.rejectCancellation(id: 51288741, comment: "Уже у курьера")
            #expect(fake.posting("700-2")?["status"]?.stringValue == "awaiting_packaging")
            let all = try await client.cancellationRequestsPage(state: "ALL")
            #expect(all.requests.map(\.state) == ["APPROVED", "REJECTED", "APPROVED"])
            #expect(all.requests[1].approveComment == "Уже у курьера")

            do throws(OzonAPIError) {
                try await client.approveCancellation(id: 51288741)
                Issue.record("expected a refusal: the request is no longer on approval")
            } catch {
                #expect(error.ozonMessage == "CANCELLATION_IS_NOT_ON_APPROVAL")
            }
            #expect(fake.sideEffects(path: OzonClient.Path.cancellationApprove).map(\.subject) == ["51288740"])
            #expect(fake.sideEffects(path: OzonClient.Path.cancellationReject).map(\.subject) == ["51288741"])
        }
    }

    @Test func pagesOnLastID() async throws {
        try await withFake { fake, client in
            for id in 1...5 as ClosedRange<Int64> { fake.put(cancellationRequest: cancellationRequest(id, posting: "710-\(id)")) }
            var ids: [Int64] = []
            var lastID: Int64?
            for _ in 0..<10 {
                let page = try await client.cancellationRequestsPage(limit: 2, lastID: lastID)
                ids += page.requests.map(\.cancellationID)
                lastID = page.lastID
                if page.isLast { break }
            }
            #expect(ids == [1, 2, 3, 4, 5])
            #expect(fake.received(OzonClient.Path.cancellationList).count == 3)
        }
    }
}

@Suite struct ChatTests {
    @Test func startSendAndReadTheHistory() async throws {
        try await withFake { fake, client in
            var posting = try #require(samplePosting("800-1", tpl: "non_integrated").objectValue)
            _ = posting.updateValue(["can_create_chat"], forKey: "available_actions")
            fake.put(posting: .object(posting))
            fake.configure { $0.spellCustomerWithCyrillicC = true }
            let buyerChat = fake.putBuyerMessage(postingNumber: "800-1", text: "Где мой заказ?")

            let chatID = try await client.startChat(postingNumber: "800-1")
            #expect(chatID == buyerChat)  // one chat per posting
            try await client.sendChatMessage(chatID: chatID, text: "Здравствуйте! Заказ передан курьеру.")
            #expect(JSONWriter.write(try #require(fake.received(OzonClient.Path.chatSendMessage).first?.body))
                == #"{"chat_id":"\#(chatID)","text":"Здравствуйте! Заказ передан курьеру."}"#)

            let history = try await client.chatHistory(chatID: chatID)
            #expect(history.messages.map(\.text) == ["Здравствуйте! Заказ передан курьеру.", "Где мой заказ?"])
            #expect(history.messages.map(\.sender) == [.seller, .customer])
            #expect(history.messages[1].userType == "\u{0421}ustomer")
            // Ids beyond Double precision are kept digit for digit.
            #expect(history.messages.map(\.messageID) == ["3000000000817031943", "3000000000817031942"])
            #expect(history.messages[0].orderNumber == "800")
            #expect(!history.hasNext)
            let forward = try await client.chatHistory(chatID: chatID, direction: .forward, fromMessageID: "3000000000817031943", limit: 10)
            #expect(forward.messages.map(\.messageID) == ["3000000000817031943"])
            #expect(fake.received(OzonClient.Path.chatHistory).last?.body["from_message_id"]?.numberValue?.literal == "3000000000817031943")

            let list = try await client.chatList(unreadOnly: true)
            #expect(list.chats.map(\.chatID) == [chatID])
            #expect(list.chats[0].isBuyerChat)
            #expect(list.chats[0].lastMessageID == "3000000000817031943")
            #expect(!list.hasNext)  // "false" as a string
            #expect(fake.chatMessages(postingNumber: "800-1").map(\.text) == ["Где мой заказ?", "Здравствуйте! Заказ передан курьеру."])
            #expect(fake.sideEffects(path: OzonClient.Path.chatSendMessage).count == 1)
        }
    }

    @Test func messageLengthIsChecked() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("810-1"))
            let chatID = try await client.startChat(postingNumber: "810-1")
            await #expect(throws: OzonAPIError.self) { try await client.sendChatMessage(chatID: chatID, text: "") }
            await #expect(throws: OzonAPIError.self) {
                try await client.sendChatMessage(chatID: chatID, text: String(repeating: "я", count: 1001))
            }
            try await client.sendChatMessage(chatID: chatID, text: String(repeating: "я", count: 1000))
            #expect(fake.received(OzonClient.Path.chatSendMessage).count == 1)
        }
    }

    @Test func withoutPremiumChatsAreNotAllowed() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("820-1"))
            fake.configure { $0.chatsNeedPremium = true }
            do throws(OzonAPIError) {
                _ = try await client.startChat(postingNumber: "820-1")
                Issue.record("expected a refusal")
            } catch {
                guard case .api(_, let status, _, _, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(status == 403)
                #expect(error.disposition == .notAllowed)
            }
            #expect(fake.received(OzonClient.Path.chatStart).count == 1)  // not retried
        }
    }

    @Test func aPostingWithoutCanCreateChatIsRefused() async throws {
        try await withFake { fake, client in
            var posting = try #require(samplePosting("830-1").objectValue)
            _ = posting.updateValue(["cancel"], forKey: "available_actions")
            fake.put(posting: .object(posting))
            await #expect(throws: OzonAPIError.self) { _ = try await client.startChat(postingNumber: "830-1") }
        }
    }
}

@Suite struct UnknownOutcomeTests {
    @Test func aShipWhoseConnectionDropsAfterApplyingIsNotResent() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("900-1"))
            fake.dropConnectionAfterApplying(OzonClient.Path.ship)
            do throws(OzonAPIError) {
                _ = try await client.ship("900-1", packages: [ShipPackage(items: [.init(sku: 1734059281, quantity: 2)])])
                Issue.record("expected the dropped connection to surface")
            } catch {
                #expect(isUnknownOutcome(error), "\(error)")
                #expect(error.disposition == .retryable)
            }
            #expect(fake.received(OzonClient.Path.ship).count == 1)
            #expect(fake.sideEffects(path: OzonClient.Path.ship, subject: "900-1").count == 1)
            // Read back: it took effect. A blind re-send is refused as already done.
            let readBack = try await client.posting("900-1")
            #expect(readBack.status == .awaitingDeliver)
            do throws(OzonAPIError) {
                _ = try await client.ship("900-1", packages: [ShipPackage(items: [.init(sku: 1734059281, quantity: 2)])])
                Issue.record("expected POSTING_ALREADY_SHIPPED")
            } catch {
                #expect(error.ozonMessage == "POSTING_ALREADY_SHIPPED")
                #expect(error.disposition == .alreadyDone)
            }
            #expect(fake.sideEffects(path: OzonClient.Path.ship).count == 1)
        }
    }

    @Test func everyWriteMethodSurfacesADroppedConnection() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("910-1", status: "awaiting_deliver", tpl: "non_integrated"))
            fake.put(posting: samplePosting("910-2"))
            fake.put(rfbsReturnRequest: returnRequest(61))
            fake.put(posting: samplePosting("910-3"))
            fake.put(cancellationRequest: cancellationRequest(71, posting: "910-3"))
            let chatID = try await client.startChat(postingNumber: "910-1")
            let writes: [(String, () async throws -> Void)] = [
                (OzonClient.Path.trackingNumberSet, { _ = try await client.setTrackingNumbers([("910-1", "T-1")]) }),
                (RFBSStatusMove.delivering.path, { _ = try await client.move(["910-1"], to: .delivering) }),
                (OzonClient.Path.rfbsReturnAction, { try await client.rfbsReturnAction(returnID: 61, actionID: 1) }),
                (OzonClient.Path.cancellationApprove, { try await client.approveCancellation(id: 71) }),
                (OzonClient.Path.chatSendMessage, { try await client.sendChatMessage(chatID: chatID, text: "Спасибо за заказ!") }),
                (OzonClient.Path.labelCreateV3, { _ = try await client.createLabelTasks(["910-1"]) }),
                (OzonClient.Path.cancel, { _ = try await client.cancel("910-2", reasonID: 352) }),
            ]
            for (path, write) in writes {
                fake.dropConnectionAfterApplying(path)
                do {
                    try await write()
                    Issue.record("\(path): expected the dropped connection to surface")
                } catch {
                    #expect((error as? OzonAPIError).map(isUnknownOutcome) == true, "\(path): \(error)")
                }
                #expect(fake.received(path).count == 1, "\(path) was re-sent")
                #expect(fake.sideEffects(path: path).count == 1, "\(path) applied \(fake.sideEffects(path: path).count) times")
            }
            #expect(fake.appliedReturnActions(61) == [1])
            #expect(fake.chatMessages(postingNumber: "910-1").count == 1)
            #expect(fake.posting("910-2")?["status"]?.stringValue == "cancelled")
            #expect(fake.posting("910-3")?["status"]?.stringValue == "cancelled")  // approved cancellation
            do throws(OzonAPIError) {
                _ = try await client.cancel("910-2", reasonID: 352)
                Issue.record("expected POSTING_ALREADY_CANCELLED")
            } catch {
                #expect(error.ozonMessage == "POSTING_ALREADY_CANCELLED")
                #expect(error.disposition == .alreadyDone)
            }
        }
    }

    @Test func aStalledAnswerIsATimeoutAndNotResent() async throws {
        let fake = FakeOzonAPI()
        try await fake.start()
        let client = OzonClient(credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL,
                                timeoutSeconds: 2, retry: RetryPolicy(transportDelay: 0.01))
        fake.put(rfbsReturnRequest: returnRequest(81))
        // The answer waits well past the timeout, which leaves a loaded machine room to apply it first.
        fake.stallAfterApplying(OzonClient.Path.rfbsReturnAction, seconds: 6)
        do throws(OzonAPIError) {
            try await client.rfbsReturnAction(returnID: 81, actionID: 1)
            Issue.record("expected a timeout")
        } catch {
            guard case .timeout = error else { Issue.record("expected a timeout, got \(error)"); await fake.stop(); return }
        }
        // On a loaded machine the fake may take the call only after the client gave up on it.
        _ = try await waitUntil(timeout: .seconds(30)) { !fake.appliedReturnActions(81).isEmpty }
        // A resend would follow within the retry delay (10 ms): give it time to show.
        try await Task.sleep(for: .milliseconds(300))
        #expect(fake.received(OzonClient.Path.rfbsReturnAction).count == 1)
        #expect(fake.appliedReturnActions(81) == [1])
        await fake.stop()
    }

    @Test func aReadIsRetriedAfterADroppedConnection() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("920-1"))
            fake.dropConnectionAfterApplying(OzonClient.Path.postingGet)
            let posting = try await client.posting("920-1")
            #expect(posting.postingNumber == "920-1")
            // The dropped one and at least one more (a loaded machine may see a pooled
            // connection closed under it too, which is retried the same way).
            #expect(fake.received(OzonClient.Path.postingGet).count >= 2)
        }
    }

    @Test func a429OnAWriteIsRetriedSinceNothingWasApplied() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("930-1"))
            fake.put(cancellationRequest: cancellationRequest(91, posting: "930-1"))
            fake.fail(OzonClient.Path.cancellationApprove, with: [.tooManyRequests(retryAfter: "0"), .circuitOpen])
            try await client.approveCancellation(id: 91)
            #expect(fake.received(OzonClient.Path.cancellationApprove).count == 3)
            #expect(fake.sideEffects(path: OzonClient.Path.cancellationApprove).count == 1)
        }
    }
}

@Suite struct DispositionTests {
    static func api(_ status: Int, _ message: String) -> OzonAPIError {
        .api(path: "/x", httpStatus: status, code: 3, message: message, details: nil)
    }

    @Test func classifiesOzonsErrors() {
        #expect(Self.api(429, "You have reached request rate limit per second").disposition == .retryable)
        #expect(Self.api(429, "Circle is open").disposition == .retryable)
        #expect(Self.api(500, "Internal error").disposition == .retryable)
        #expect(Self.api(503, "").disposition == .retryable)
        #expect(OzonAPIError.timeout(path: "/x", seconds: 1).disposition == .retryable)
        #expect(OzonAPIError.transport(path: "/x", message: "closed").disposition == .retryable)
        #expect(OzonAPIError.rateLimited(path: "/x", attempts: 5, message: "Circle is open").disposition == .retryable)
        #expect(Self.api(403, "PermissionDenied").disposition == .notAllowed)
        #expect(Self.api(403, "Api-Key is missing a required role for a method").disposition == .notAllowed)
        #expect(Self.api(400, "not available with existing subscription").disposition == .notAllowed)
        #expect(Self.api(400, "Premium Plus subscription is required").disposition == .notAllowed)
        #expect(Self.api(403, FakeOzonAPI.premiumRefusal).disposition == .notAllowed)
        #expect(Self.api(400, "POSTING_ALREADY_SHIPPED").disposition == .alreadyDone)
        #expect(Self.api(400, "POSTING_ALREADY_CANCELLED").disposition == .alreadyDone)
        #expect(Self.api(400, "HAS_INCORRECT_CANCEL_REASON").disposition == .permanent)
        #expect(Self.api(404, "POSTING_NOT_FOUND").disposition == .permanent)
        #expect(Self.api(403, "Invalid Api-Key, please check the key and try again").disposition == .permanent)
        #expect(OzonAPIError.invalidResponse(path: "/x", message: "no").disposition == .permanent)
    }

    @Test func theFakesPermissionFailureIsNotAllowed() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("940-1"))
            fake.fail(OzonClient.Path.cancel, with: [.permissionDenied(message: "Api-Key is missing a required role for a method")])
            do throws(OzonAPIError) {
                _ = try await client.cancel("940-1", reasonID: 352)
                Issue.record("expected a refusal")
            } catch {
                #expect(error.disposition == .notAllowed)
            }
            #expect(fake.sideEffects(path: OzonClient.Path.cancel).isEmpty)
        }
    }
}

@Suite struct FakeAdminTests {
    static func get(_ url: String) async throws -> JSONValue {
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: URL(string: url)!) { data, _, error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: data ?? Data()) }
            }.resume()
        }
        return try JSONParser.parse(Array(data))
    }

    @Test func callsAndStateAreServedAsJSON() async throws {
        try await withFake { fake, client in
            fake.put(posting: samplePosting("950-1"))
            fake.put(rfbsReturnRequest: returnRequest(95))
            _ = try await client.ship("950-1", packages: [ShipPackage(items: [.init(sku: 1734059281, quantity: 2)])])
            try await client.rfbsReturnAction(returnID: 95, actionID: 1)
            let calls = try await Self.get(fake.baseURL + "/fake/calls")
            #expect(calls["counts"]?[OzonClient.Path.ship] == 1)
            #expect(calls["counts"]?[OzonClient.Path.rfbsReturnAction] == 1)
            #expect(calls["side_effects"]?.arrayValue?.map { $0["subject"]?.stringValue } == ["950-1", "95"])
            let state = try await Self.get(fake.baseURL + "/fake/state")
            #expect(state["postings"]?[0]?["status"] == "awaiting_deliver")
            #expect(state["return_requests"]?[0]?["state"]?["group_state"] == "Approved")
        }
    }
}
