import Foundation

/// An Alertmanager webhook payload, version 4 (what `webhook_configs` POSTs).
struct AlertmanagerPayload: Decodable {
    var version: String
    var status: String?
    var receiver: String?
    var alerts: [Alert]

    struct Alert: Decodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]?
        var startsAt: String
        var endsAt: String?
        var generatorURL: String?
        var fingerprint: String?
    }

    /// Decodes and checks a payload; errors name `source` and say what is wrong.
    static func decode(_ data: Data, source: String) throws -> AlertmanagerPayload {
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw OpsError.input("\(source): not valid JSON. ops alert ingest reads an Alertmanager webhook payload")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let version = object["version"] {
            guard "\(version)" == "4" else {
                throw OpsError.input("\(source): Alertmanager webhook version \(version); ops reads version 4")
            }
        }
        do {
            let payload = try JSONDecoder().decode(AlertmanagerPayload.self, from: data)
            for (index, alert) in payload.alerts.enumerated() {
                guard alert.status == "firing" || alert.status == "resolved" else {
                    throw OpsError.input("\(source): alerts[\(index)] has status '\(alert.status)'; expected firing or resolved")
                }
                guard Timestamp.parse(alert.startsAt) != nil else {
                    throw OpsError.input("\(source): alerts[\(index)].startsAt '\(alert.startsAt)' is not a time")
                }
                guard let fingerprint = alert.fingerprint, !fingerprint.isEmpty,
                      fingerprint.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    throw OpsError.input("\(source): alerts[\(index)] has no usable fingerprint")
                }
            }
            return payload
        } catch let error as DecodingError {
            throw OpsError.input("\(source): not an Alertmanager webhook payload (\(describe(error)))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension AlertmanagerPayload.Alert {
    var name: String { labels["alertname"] ?? "alert" }
    var startedAt: Date { Timestamp.parse(startsAt)! }
    /// When the alert ended; nil while firing (Alertmanager sends year 1 then).
    var endedAt: Date? {
        guard let endsAt, let date = Timestamp.parse(endsAt), date > Date(timeIntervalSince1970: 0) else { return nil }
        return date
    }
}
