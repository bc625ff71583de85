import Foundation

/// An Alertmanager webhook payload, version 4 (what `webhook_configs` POSTs).
struct AlertmanagerPayload {
    var version: String
    var status: String?
    var receiver: String?
    var alerts: [Alert]

    struct Alert {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]?
        var startsAt: String
        var endsAt: String?
        var generatorURL: String?
        var fingerprint: String?
    }

    /// Reads and checks a payload; errors name `source`, the line and what is wrong.
    static func decode(_ data: Data, source: String) throws -> AlertmanagerPayload {
        let root: JSONValue
        switch JSONText.parse(data) {
        case .success(let value):
            root = value
        case .failure:
            // A payload is one request body, most often on one line: the line would add nothing.
            throw OpsError.input("\(source): not valid JSON. ops alert ingest reads an Alertmanager webhook payload")
        }
        if root.isObject, let version = root["version"], let text = Self.versionText(version.kind) {
            throw OpsError.input("\(source): Alertmanager webhook version \(text); ops reads version 4")
        }
        let reader = FieldReader(source: source)
        let payload = AlertmanagerPayload(
            version: try reader.string(root, "version", at: ""), status: try reader.optionalString(root, "status", at: ""),
            receiver: try reader.optionalString(root, "receiver", at: ""),
            alerts: try reader.list(root, "alerts", at: "").enumerated().map { index, item in
                let path = "alerts.\(index)."
                return Alert(
                    status: try reader.string(item, "status", at: path), labels: try reader.strings(item, "labels", at: path),
                    annotations: try reader.optionalStrings(item, "annotations", at: path),
                    startsAt: try reader.string(item, "startsAt", at: path),
                    endsAt: try reader.optionalString(item, "endsAt", at: path),
                    generatorURL: try reader.optionalString(item, "generatorURL", at: path),
                    fingerprint: try reader.optionalString(item, "fingerprint", at: path))
            })
        for (index, alert) in payload.alerts.enumerated() {
            guard alert.status == "firing" || alert.status == "resolved" else {
                throw OpsError.input("\(source): alerts[\(index)] has status '\(alert.status)'; expected firing or resolved")
            }
            guard Timestamp.parse(alert.startsAt) != nil else {
                throw OpsError.input("\(source): alerts[\(index)].startsAt '\(alert.startsAt)' is not a time")
            }
            guard let fingerprint = alert.fingerprint, !fingerprint.isEmpty,
                fingerprint.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else {
                throw OpsError.input("\(source): alerts[\(index)] has no usable fingerprint")
            }
        }
        return payload
    }

    /// The version as a message shows it; nil for a version written as the string "4".
    /// (A plain switch: Swift 6.3's optimiser trips over the optional-chain form of this in -O.)
    private static func versionText(_ kind: JSONValue.Kind) -> String? {
        switch kind {
        case .string(let text), .number(let text): return text == "4" ? nil : text
        case .bool(let value): return String(value)
        case .null, .object, .array: return "null"
        }
    }

    /// Takes the fields of a payload out of its JSON, naming the field and its line when one
    /// is missing or of the wrong kind. Unknown fields are ignored, as Alertmanager adds some.
    private struct FieldReader {
        let source: String

        func string(_ object: JSONValue, _ key: String, at path: String) throws -> String {
            try text(member(object, key, at: path), key, at: path)
        }

        func optionalString(_ object: JSONValue, _ key: String, at path: String) throws -> String? {
            try optionalMember(object, key, at: path).map { try text($0, key, at: path) }
        }

        /// An object of strings, as labels and annotations are.
        func strings(_ object: JSONValue, _ key: String, at path: String) throws -> [String: String] {
            try texts(member(object, key, at: path), key, at: path)
        }

        func optionalStrings(_ object: JSONValue, _ key: String, at path: String) throws -> [String: String]? {
            try optionalMember(object, key, at: path).map { try texts($0, key, at: path) }
        }

        func list(_ object: JSONValue, _ key: String, at path: String) throws -> [JSONValue] {
            let member = try member(object, key, at: path)
            guard let items = member.array else { throw refuse("`\(path)\(key)` is not a list", line: member.line) }
            return items
        }

        /// The member `key`; nil when it is absent or null.
        private func optionalMember(_ object: JSONValue, _ key: String, at path: String) throws -> JSONValue? {
            guard object.isObject else {
                throw refuse(path.isEmpty ? "not an object" : "`\(path.dropLast())` is not an object", line: object.line)
            }
            guard let member = object[key], !member.isNull else { return nil }
            return member
        }

        private func member(_ object: JSONValue, _ key: String, at path: String) throws -> JSONValue {
            guard let member = try optionalMember(object, key, at: path) else {
                throw refuse(object[key] == nil ? "missing `\(path)\(key)`" : "`\(path)\(key)` is null", line: object.line)
            }
            return member
        }

        private func text(_ member: JSONValue, _ key: String, at path: String) throws -> String {
            guard case .string(let text) = member.kind else { throw refuse("`\(path)\(key)` is not a string", line: member.line) }
            return text
        }

        private func texts(_ member: JSONValue, _ key: String, at path: String) throws -> [String: String] {
            guard member.isObject else { throw refuse("`\(path)\(key)` is not an object", line: member.line) }
            var result: [String: String] = [:]
            for name in member.keys {
                result[name] = try string(member, name, at: "\(path)\(key).")
            }
            return result
        }

        private func refuse(_ problem: String, line: Int) -> OpsError {
            OpsError.input("\(source): not an Alertmanager webhook payload (\(problem), line \(line))")
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
