import Foundation
import Testing

@testable import OpsKit

@Suite struct JSONTextTests {
    @Test func everyValueKnowsTheLineItStartsOn() throws {
        let text = "{\n  \"a\": [1,\n    \"two\"],\n  \"b\": {\"c\": null,\n        \"d\": true}\n}\n"
        let root = try JSONText.parse(Data(text.utf8)).get()
        #expect(root.line == 1)
        #expect(root["a"]?.line == 2)
        #expect(root["a"]?.items.map(\.line) == [2, 3])
        #expect(root["b"]?.line == 4)
        #expect(root[path: "b", "c"]?.line == 4)
        #expect(root[path: "b", "d"]?.line == 5)
        // One line of a JSON lines file counts from the line it is on.
        #expect(try JSONText.parse("{\"x\": 1}"[...], firstLine: 7).get()["x"]?.line == 7)
        // Where a value was read does not make it another value.
        #expect(root["a"] == .array([.number("1"), .string("two")]))
    }

    @Test func aNumberBeyondADoubleIsNotJSONOpsReads() {
        guard case .failure(.invalid(let line, let why)) = JSONText.parse(Data("[1,\n1e999]".utf8)) else {
            Issue.record("1e999 was read")
            return
        }
        #expect(line == 2 && why == "the number 1e999 is too large")
    }

    @Test func anAlertmanagerPayloadOfTheWrongShapeNamesTheFieldAndItsLine() {
        let payload = "{\n  \"version\": \"4\",\n  \"alerts\": [\n    {\"status\": \"firing\",\n     \"labels\": {\"severity\": 2}}\n  ]\n}\n"
        #expect(throws: OpsError.input("alert.json: not an Alertmanager webhook payload (`alerts.0.labels.severity` is not a string, line 5)")) {
            try AlertmanagerPayload.decode(Data(payload.utf8), source: "alert.json")
        }
        let missing = "{\"version\": \"4\",\n \"alerts\": [\n {\"status\": \"firing\"}]}"
        #expect(throws: OpsError.input("alert.json: not an Alertmanager webhook payload (missing `alerts.0.labels`, line 3)")) {
            try AlertmanagerPayload.decode(Data(missing.utf8), source: "alert.json")
        }
    }
}
