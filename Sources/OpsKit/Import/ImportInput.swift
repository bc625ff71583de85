public import Foundation

/// One file given to `ops import`: its name as typed (for messages) and its bytes.
public struct ImportFile: Sendable {
    public var name: String
    public var data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }
}

/// A JSON value read from a file, with the line of its record (JSON lines) for messages.
struct ImportRecord {
    var value: JSONValue
    var file: String
    var line: Int?

    /// `file:line: ` or `file: `, the prefix of every message about this record.
    var location: Location { Location(path: file, line: line) }
}

/// Reading export files: JSON, JSON lines and Airbyte records, recognising whose export a
/// file is, and the one-line errors for input ops cannot use. Every error says nothing was
/// imported, since a run is one commit or none.
enum ImportInput {
    /// The JSON values in `file`: one for a JSON document, one per line for JSON lines, each
    /// Airbyte record unwrapped to its `data`. Throws when the file is not `tool`'s, is cut
    /// off (naming the incident it was cut in, from `incidentID`), or is not JSON.
    static func records(_ file: ImportFile, tool: ImportTool, incidentID: (JSONValue) -> String?) throws -> [ImportRecord] {
        let text = try UTF8Text.decode(file.data, path: file.name)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw OpsError.input("\(file.name): the file is empty. ops import \(tool.rawValue) reads \(tool.expected)")
        }
        if tool != .dispatch, text.hasPrefix("COPY ") || text.contains("\nCOPY ") {
            throw OpsError.input("\(file.name): this is a database dump (Dispatch's), not \(tool.name) data. Run: ops import dispatch \(file.name)")
        }
        var records: [ImportRecord] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let firstIndex = lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty }!
        let isJSONLines: Bool = {
            // JSON lines: the first line is a whole value on its own, and more follows.
            guard case .success = JSONText.parse(lines[firstIndex]) else { return false }
            return lines[(firstIndex + 1)...].contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }()
        if isJSONLines {
            let lastIndex = lines.lastIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty }!
            for (index, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                switch JSONText.parse(line, firstLine: index + 1) {
                case .success(let value):
                    guard let unwrapped = unwrapAirbyte(value) else { continue }
                    records.append(ImportRecord(value: unwrapped, file: file.name, line: index + 1))
                case .failure(.truncated(_, let partial)) where index == lastIndex:
                    let seen = records.map(\.value) + (partial.flatMap(unwrapAirbyte).map { [$0] } ?? [])
                    throw truncated(file, line: index + 1, tool: tool, seen: seen, incidentID: incidentID)
                case .failure(.truncated):
                    throw OpsError.file(
                        file.name, line: index + 1, "this line is not complete JSON (the file has one JSON value per line); nothing was imported")
                case .failure(.invalid(_, let why)):
                    throw OpsError.file(file.name, line: index + 1, "not valid JSON (\(why)); nothing was imported")
                }
            }
        } else {
            switch JSONText.parse(file.data) {
            case .success(let value):
                if let unwrapped = unwrapAirbyte(value) { records.append(ImportRecord(value: unwrapped, file: file.name, line: nil)) }
            case .failure(.truncated(let line, let partial)):
                throw truncated(file, line: line, tool: tool, seen: partial.map { [$0] } ?? [], incidentID: incidentID)
            case .failure(.invalid(let line, let why)):
                throw OpsError.file(file.name, line: line, "not valid JSON (\(why)). ops import \(tool.rawValue) reads \(tool.expected); nothing was imported")
            }
        }
        try check(records, file: file, tool: tool)
        return records
    }

    /// An Airbyte message's record `data`; nil for its other messages (STATE, LOG); the value
    /// itself when it is not one.
    private static func unwrapAirbyte(_ value: JSONValue) -> JSONValue? {
        if let record = value["record"], let data = record["data"] { return data }
        if let type = value["type"]?.string, ["STATE", "LOG", "TRACE", "SPEC", "CATALOG", "CONNECTION_STATUS"].contains(type) { return nil }
        return value
    }

    /// Refuses a file that holds another tool's data, or nothing ops recognises.
    private static func check(_ records: [ImportRecord], file: ImportFile, tool: ImportTool) throws {
        let found = records.lazy.compactMap { detect($0.value) }.first
        if let found, found != tool {
            throw OpsError.input("\(file.name): this is \(found.name) data, not \(tool.name). Run: ops import \(found.rawValue) \(file.name)")
        }
        if found == nil, !records.allSatisfy({ isEmpty($0.value) }) {
            throw OpsError.input("\(file.name): not \(tool.name) data. ops import \(tool.rawValue) reads \(tool.expected); nothing was imported")
        }
    }

    /// An empty list, or a wrapper around one: a tool with nothing to export.
    private static func isEmpty(_ value: JSONValue) -> Bool {
        if let items = value.array { return items.isEmpty }
        for key in ["incidents", "data", "log_entries", "items"] {
            if let inner = value[key] { return isEmpty(inner) }
        }
        return false
    }

    /// Whose export a JSON value is, from its shape; nil when it is no tool's.
    static func detect(_ value: JSONValue) -> ImportTool? {
        switch value.kind {
        case .array(let items):
            return items.lazy.compactMap(detect).first
        case .object:
            if let type = value["type"]?.string, value["attributes"] != nil, ["incidents", "incident_events"].contains(type) { return .rootly }
            if let type = value["type"]?.string {
                if type == "incident", value["incident_number"] != nil { return .pagerduty }
                if type.hasSuffix("_log_entry"), value["agent"] != nil || value["incident"] != nil { return .pagerduty }
            }
            if value["incident_status"] != nil, value["reference"] != nil || value["mode"] != nil { return .incidentio }
            if value["milestones"] != nil || value["current_milestone"] != nil || value["lifecycle_phases"] != nil { return .firehydrant }
            if value["reported_at"] != nil, value["incident_priority"] != nil || value["stable_at"] != nil || value["incident_severity"] != nil {
                return .dispatch
            }
            for key in ["incident_updates", "incident_statuses", "incident_timestamps", "incident_roles"] where value[key] != nil {
                return .incidentio
            }
            if let severities = value["severities"]?.array, severities.contains(where: { $0["rank"] != nil }) { return .incidentio }
            // Wrappers: an API response's list or single item.
            for key in ["data", "incidents", "incident", "log_entries", "items"] {
                if let inner = value[key], let tool = detect(inner) { return tool }
            }
            return nil
        default:
            return nil
        }
    }

    /// The error for a file that ends in the middle of a value: names the incident it was cut in
    /// when its id was read, else the last complete one.
    private static func truncated(
        _ file: ImportFile, line: Int, tool: ImportTool, seen: [JSONValue],
        incidentID: (JSONValue) -> String?
    ) -> OpsError {
        var found: [(id: String, cut: Bool)] = []
        func walk(_ value: JSONValue) {
            switch value.kind {
            case .object(let members):
                if let id = incidentID(value) {
                    found.append((id, members.contains { $0.0 == JSONText.cutKey }))
                    return
                }
                for (key, member) in members where key != JSONText.cutKey { walk(member) }
            case .array(let items):
                for item in items { walk(item) }
            default:
                break
            }
        }
        for value in seen { walk(value) }
        let place: String
        if let last = found.last, last.cut {
            place = "in the middle of \(tool.name) incident \(last.id)"
        } else if let last = found.last {
            place = "after \(tool.name) incident \(last.id); what follows is cut off"
        } else {
            place = "before any complete \(tool.name) incident"
        }
        return OpsError.file(file.name, line: line, "the file ends \(place) (truncated?). Export it again; nothing was imported")
    }

    // MARK: Values

    /// A time the tool wrote: ISO 8601 with an offset (stored as UTC), or, for tools that write
    /// naive UTC (Dispatch), without one. Nil for null or absent; throws when it is not a time.
    static func time(
        _ value: JSONValue?, field: String, of label: @autoclosure () -> String, at location: Location,
        naiveIsUTC: Bool = false
    ) throws -> Date? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.string else {
            throw OpsError(.input, "\(label()): `\(field)` is not a time: \(value); nothing was imported", at: location)
        }
        return try time(text, field: field, of: label(), at: location, naiveIsUTC: naiveIsUTC)
    }

    static func time(
        _ text: String?, field: String, of label: @autoclosure () -> String, at location: Location,
        naiveIsUTC: Bool = false
    ) throws -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let date = Timestamp.parse(text) { return date }
        if naiveIsUTC, let date = Timestamp.parse(text + "Z") { return date }
        throw OpsError(
            .input, "\(label()): `\(field)` '\(text.prefix(40))' is not a time (expected ISO 8601, like 2022-10-10T07:29:21Z); nothing was imported",
            at: location)
    }

    /// The time a record was created, which it needs to be placed in time: throws when it has none.
    static func creationTime(_ value: JSONValue?, field: String, of label: String, at location: Location) throws -> Date {
        guard let date = try time(value, field: field, of: label, at: location) else { throw noCreationTime(label, field: field, at: location) }
        return date
    }

    /// The error for an incident without the time it was opened.
    static func noCreationTime(_ label: String, field: String, at location: Location) -> OpsError {
        OpsError(
            .input, "\(label) has no `\(field)`, the time it was opened, so it cannot be placed in time. Fix the export; nothing was imported",
            at: location)
    }
}
