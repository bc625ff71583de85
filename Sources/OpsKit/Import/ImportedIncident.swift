import Foundation

/// One incident as another tool recorded it, in that tool's terms but ops's shape: what a
/// reader hands to the import. Clock points hold only what the tool really has (never a copy
/// of another point, never an artefact it wrote itself); mapping onto ops.yaml comes later.
struct ImportedIncident {
    var tool: ImportTool
    /// The tool's own id: `source:` is `<tool>:<sourceID>`.
    var sourceID: String
    /// The number people know it by (`#232`, `INC-123`), when the tool has one.
    var reference: String?
    /// The file it was read from, as given.
    var file: String
    var title: String
    var summary: String?
    var impact: String?
    var url: String?
    var severity: SeverityInput
    var status: IncidentStatus
    var service: String?
    var commander: ImportedPerson?
    var roles: [(role: String, person: ImportedPerson)] = []
    var creator: ImportedPerson?
    var clock: [ClockPoint: Date] = [:]
    var events: [ImportedEvent] = []
    /// When the tool last changed it: of two copies in one run, the newer one is imported.
    var updatedAt: Date?
    /// How many timeline records the tool gave for it, imported or not: of two copies with no
    /// `updatedAt`, the fuller one is imported (an export with its events over one without).
    var sourceEvents = 0

    /// How much the copy says, for choosing between copies.
    var fullness: Int { sourceEvents + roles.count + clock.count + (commander == nil ? 0 : 1) }

    var source: String { "\(tool.rawValue):\(sourceID)" }

    /// `PagerDuty incident #232 (Q0F38LOFAQXIKU)`, for messages.
    var label: String { Self.label(tool, reference: reference, id: sourceID) }

    /// `#232 (Q0F38LOFAQXIKU)`, for lists.
    var shortLabel: String { Self.shortLabel(reference: reference, id: sourceID) }

    static func label(_ tool: ImportTool, reference: String?, id: String) -> String {
        "\(tool.name) incident " + shortLabel(reference: reference, id: id)
    }

    static func shortLabel(reference: String?, id: String) -> String {
        reference.map { "\($0) (\(id))" } ?? id
    }
}

/// Someone or something that acted in the other tool.
struct ImportedPerson: Equatable {
    var name: String?
    var email: String?
    /// An integration, a monitor or the tool itself rather than a person.
    var isSystem = false

    static func system(_ name: String) -> ImportedPerson { ImportedPerson(name: name, email: nil, isSystem: true) }
}

/// One timeline line from the other tool. `kind` is ops's word (note, acknowledged, resolved,
/// assigned, ...); `text` is built from the tool's data only, so a second import of the same
/// data writes the same line and is recognised as already there.
struct ImportedEvent {
    var at: Date
    var actor: ImportedPerson?
    var kind: String
    var text: String = ""
}

/// What the tool says about severity: names to try against ops.yaml, in order, and, when the
/// tool has a fixed scale beside its names (Rootly's critical/high/medium/low), the position
/// on it, so an unknown name still lands on the nearest level.
struct SeverityInput {
    var names: [String]
    /// How to say what the tool gave, for the summary (`priority P2`, `no priority (urgency high)`).
    var described: String
    var scale: (position: Int, count: Int, name: String)?
}

/// Everything an import run reports besides the incidents it wrote: what was skipped and why,
/// values that could not be mapped onto ops.yaml, and what the tool's data needed explaining.
struct ImportReport {
    /// What was skipped, with why, in the order found.
    var skipped: [String] = []
    /// Category (severity, service, person, role, clock) → value → incidents it was seen on.
    private(set) var unmapped: [String: [String: [String]]] = [:]
    /// Message → incidents it applies to (empty for notes about the whole run), in first-seen order.
    private(set) var notes: [(message: String, labels: [String])] = []
    /// What was recorded already, so a long run does not search its lists.
    private var seen: Set<[String]> = []
    private var noteIndex: [String: Int] = [:]

    mutating func skip(_ what: String) { skipped.append(what) }

    mutating func unmapped(_ category: String, _ value: String, on label: String?) {
        guard seen.insert([category, value, label ?? ""]).inserted else { return }
        unmapped[category, default: [:]][value, default: []].append(contentsOf: label.map { [$0] } ?? [])
    }

    mutating func note(_ message: String, on label: String? = nil) {
        guard seen.insert(["note", message, label ?? ""]).inserted else { return }
        if let index = noteIndex[message] {
            if let label { notes[index].labels.append(label) }
        } else {
            noteIndex[message] = notes.count
            notes.append((message, label.map { [$0] } ?? []))
        }
    }

    /// Per incident label, what its import line says about it: its notes, then the values of it
    /// that did not map.
    func linesByLabel() -> [String: [String]] {
        var result: [String: [String]] = [:]
        for note in notes {
            for label in note.labels { result[label, default: []].append(note.message) }
        }
        for category in unmapped.keys.sorted() {
            for value in unmapped[category]!.keys.sorted() {
                for label in unmapped[category]![value]! { result[label, default: []].append("\(category) \(value)") }
            }
        }
        return result
    }

    /// `category: value (on a, b)` lines, categories and values sorted.
    var unmappedLines: [String] {
        unmapped.keys.sorted().flatMap { category in
            unmapped[category]!.keys.sorted().map { value in
                let labels = unmapped[category]![value]!
                return "\(category) \(value)" + (labels.isEmpty ? "" : " (\(Self.list(labels)))")
            }
        }
    }

    var noteLines: [String] {
        notes.map { $0.message + ($0.labels.isEmpty ? "" : " (\(Self.list($0.labels)))") }
    }

    /// At most 6 labels, then how many more.
    static func list(_ labels: [String]) -> String {
        labels.count <= 6 ? labels.joined(separator: ", ") : labels.prefix(5).joined(separator: ", ") + " and \(labels.count - 5) more"
    }
}
