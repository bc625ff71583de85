import Foundation

/// An incident in a tool's export while a reader converts it: the names messages give it, and
/// its times and status read so that every error and note names it and where it is.
struct ExportedIncident {
    let tool: ImportTool
    /// The tool's own id.
    let id: String
    /// The number people know it by (`#232`, `INC-123`), when the tool has one.
    let reference: String?
    let location: Location
    /// Dispatch writes its times as naive UTC, without an offset.
    var naiveIsUTC = false

    /// Throws when the tool's object has no id: without one, a second import could not
    /// recognise what the first one wrote.
    init(_ tool: ImportTool, id: String?, reference: String?, at location: Location, naiveIsUTC: Bool = false) throws {
        guard let id else { throw Self.missing("id", in: tool, at: location) }
        self.tool = tool
        self.id = id
        self.reference = reference
        self.location = location
        self.naiveIsUTC = naiveIsUTC
    }

    /// The error for an incident object without a part every incident has.
    static func missing(_ key: String, in tool: ImportTool, at location: Location) -> OpsError {
        OpsError(.input, "an incident from \(tool.name) has no `\(key)`; nothing was imported", at: location)
    }

    /// `PagerDuty incident #232 (Q0F38LOFAQXIKU)`, for messages.
    var label: String { ImportedIncident.label(tool, reference: reference, id: id) }

    /// `#232 (Q0F38LOFAQXIKU)`, for the report's lists.
    var short: String { ImportedIncident.shortLabel(reference: reference, id: id) }

    // MARK: Times

    /// Nil for null or absent; throws when it is not a time.
    func time(_ value: JSONValue?, _ field: String) throws -> Date? {
        try ImportInput.time(value, field: field, of: label, at: location, naiveIsUTC: naiveIsUTC)
    }

    func time(_ text: String?, _ field: String) throws -> Date? {
        try ImportInput.time(text, field: field, of: label, at: location, naiveIsUTC: naiveIsUTC)
    }

    /// The time it was opened, from `field`: an incident without one cannot be placed in time.
    func opened(_ value: JSONValue?, _ field: String) throws -> Date {
        guard let date = try time(value, field) else { throw ImportInput.noCreationTime(label, field: field, at: location) }
        return date
    }

    func opened(_ text: String?, _ field: String) throws -> Date {
        guard let date = try time(text, field) else { throw ImportInput.noCreationTime(label, field: field, at: location) }
        return date
    }

    // MARK: Status

    /// Its status in ops's terms, from the tool's word for it. Nil for a word that marks no
    /// incident to count (cancelled, declined), which is reported as skipped; a word the tool
    /// does not document is imported as `fallback`, and noted.
    func status(
        _ word: String, _ vocabulary: ImportStatusVocabulary, fallback: IncidentStatus = .open, report: inout ImportReport
    ) -> IncidentStatus? {
        let key = vocabulary.key(word)
        if vocabulary.notCounted.contains(key) {
            report.skip("\(short): \(key), not an incident to count")
            return nil
        }
        if let status = vocabulary.statuses[key] { return status }
        report.note("\(vocabulary.name) '\(word)' is not \(vocabulary.documented): imported as \(fallback.rawValue)", on: short)
        return fallback
    }
}

/// A tool's words for an incident's status, and the ops status each one is.
struct ImportStatusVocabulary: Sendable {
    /// What the word is called in a note: `PagerDuty status`, `status category`.
    let name: String
    /// The words it documents, for the note on one it does not: `triggered, acknowledged or resolved`.
    let documented: String
    let statuses: [String: IncidentStatus]
    /// Words for an incident that is not one to count (cancelled, declined): it is skipped.
    var notCounted: Set<String> = []
    /// The form a word is looked up in (Dispatch's are capitalised, FireHydrant's use `_` or ` `).
    var key: @Sendable (String) -> String = { $0 }
}
