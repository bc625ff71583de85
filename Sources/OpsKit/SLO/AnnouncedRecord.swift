import Foundation
import Yams

/// A file of `slo/announced/`: the budget thresholds or signal breaches ops told a channel
/// about, one line each under `announced:`. It is written in the commit of the import that
/// showed them, so it travels with `ops sync`: no later run and no other clone announces the
/// same one again. Ops only appends; a line removed by hand lets the event be announced again.
struct AnnouncedRecord {
    static let folder = "slo/announced"

    /// A budget's record: every threshold announced for one use case's indicator.
    static func budgetPath(useCase: String, sli: String) -> String { "\(folder)/budget/\(useCase)/\(sli).yaml" }

    /// A week's record of the signal breaches announced for one use case.
    static func signalsPath(useCase: String, week: ISOWeek) -> String { "\(folder)/signals/\(useCase)/\(week).yaml" }

    let path: String
    private(set) var text: String
    /// Each line's fields, as text.
    private(set) var entries: [[String: String]]

    /// Reads the record at `path` (`text`, nil when there is none yet, then `header` starts it).
    /// A line that is not a flow mapping of plain values is an error naming its line.
    init(path: String, text: String?, header: @autoclosure () -> String) throws {
        self.path = path
        self.text = text ?? header()
        let yaml = try YAMLText(self.text, path: path)
        entries = []
        guard let node = yaml["announced"] else { return }
        // `announced:` with nothing after it: no line yet.
        if case .scalar(let scalar) = node, ["", "~", "null"].contains(scalar.string) { return }
        guard case .sequence(let items) = node else {
            throw OpsError.file(path, line: yaml.line(of: "announced"), "announced: is not a list", fix: "Write one `- {…}` line per event")
        }
        for item in items {
            guard case .mapping(let map) = item else {
                throw OpsError.file(path, line: yaml.line(of: item), "an announced: item is not a mapping", fix: "Write it as `- {key: value, …}`")
            }
            var fields: [String: String] = [:]
            for (key, value) in map {
                guard let name = key.string else { continue }
                switch value {
                case .scalar(let scalar): fields[name] = scalar.string
                case .sequence(let list): fields[name] = list.compactMap(\.string).joined(separator: ",")
                default:
                    throw OpsError.file(path, line: yaml.line(of: value), "`\(name)` of an announced: item is not a value or a list")
                }
            }
            entries.append(fields)
        }
    }

    /// Whether a line has every field of `identity` with that value.
    func contains(_ identity: [String: String]) -> Bool {
        entries.contains { entry in identity.allSatisfy { entry[$0.key] == $0.value } }
    }

    /// The lines that have every field of `identity`.
    func matching(_ identity: [String: String]) -> [[String: String]] {
        entries.filter { entry in identity.allSatisfy { entry[$0.key] == $0.value } }
    }

    /// Appends one line under `announced:` (`  - {at: 50%, window: 2026-11, …}`), in the order
    /// given; every other line of the file stays as it was.
    mutating func append(_ fields: [(String, Node)]) throws {
        var yaml = try YAMLText(text, path: path)
        let map = Node.mapping(Node.Mapping(fields.map { (Node($0.0), $0.1) }))
        guard let emitted = try YAMLText.emit(key: "x", value: map).first, emitted.hasPrefix("x: {") else {
            preconditionFailure("a record line of plain values is emitted as one flow mapping")
        }
        let line = "  - " + emitted.dropFirst(3)
        var raw = yaml.rawText(of: "announced") ?? "announced:" + yaml.newline
        if raw.hasSuffix("[]" + yaml.newline) || raw.hasSuffix("[]") { raw = "announced:" + yaml.newline }
        if !raw.hasSuffix("\n") { raw += yaml.newline }
        try yaml.setRawText("announced", raw + line + yaml.newline)
        var fieldsText: [String: String] = [:]
        for (key, value) in fields {
            fieldsText[key] = value.string ?? value.sequence?.compactMap(\.string).joined(separator: ",")
        }
        text = yaml.text
        entries.append(fieldsText)
    }
}
