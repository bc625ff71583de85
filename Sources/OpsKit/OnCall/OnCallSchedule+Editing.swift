import Foundation
import Yams

extension OnCallSchedule {
    /// `text` with `override` added as the last item of `overrides:`, on one line in flow style
    /// (`  - {rotation: sre, person: dave, from: 2026-11-20T18:00, until: 2026-11-21T09:00}`),
    /// times written in the rotation's zone. Only that line is added: comments, order and every
    /// other line stay as they are (docs/DESIGN.md §3).
    static func adding(_ override: Override, zone: TimeZone, to text: String, path: String = OnCallSchedule.path) throws -> String {
        var yaml = try YAMLText(text, path: path)
        // Rotation names and handles are checked names (letters, digits, dot, dash, underscore)
        // and the times are digits: all plain in a flow mapping, and ops reads every value as
        // text. Written by hand because Yams' emitter would quote the times as if they were
        // YAML timestamps.
        let line =
            "- {rotation: \(override.rotation), person: \(override.person), from: \(OnCallTime.format(override.from, zone: zone)), "
            + "until: \(OnCallTime.format(override.until, zone: zone))}"
        if let node = yaml["overrides"], case .sequence(let items) = node, !items.isEmpty, items.style != .flow,
            let raw = yaml.rawText(of: "overrides")
        {
            // Appended after the last item with the indent the file's items have.
            let lines = raw.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            let indent = lines.dropFirst().first { $0.drop { $0 == " " }.hasPrefix("-") }.map { String($0.prefix { $0 == " " }) } ?? ""
            let ending = raw.hasSuffix("\n") || raw.hasSuffix("\r") ? "" : yaml.newline
            try yaml.setRawText("overrides", raw + ending + indent + line + yaml.newline)
        } else {
            // No overrides yet (or written in [ ] on one line): the list is written anew, one item a line.
            var raw = "overrides:" + yaml.newline
            for item in yaml["overrides"]?.sequence ?? Node.Sequence([]) {
                guard let map = item.mapping, let text = try YAMLText.emit(key: "x", value: .mapping(map)).first else { continue }
                raw += "- " + text.dropFirst(3) + yaml.newline
            }
            try yaml.setRawText("overrides", raw + line + yaml.newline, order: knownKeys)
        }
        return yaml.text
    }
}
