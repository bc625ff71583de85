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

extension OnCallSchedule {
    /// oncall.yaml as merged by `ops sync` when two clones each added overrides (the usual
    /// offline case: two people arranging cover on two laptops). Git's line merge stops there,
    /// since both add lines at the end of the same list. The result is ours with the lines
    /// theirs added to `overrides:` after our own, as written (a comment on them stays). Nil, so
    /// that a person decides, when anything but the overrides differs, an override was removed
    /// on either side, the lines do not read back as both sides' overrides, or two overrides of
    /// one rotation overlap (two people took the same hours).
    static func mergingOverrides(base: String, ours: String, theirs: String) -> String? {
        guard let baseYAML = try? YAMLText(base, path: path), var merged = try? YAMLText(ours, path: path),
            let theirYAML = try? YAMLText(theirs, path: path),
            let baseSchedule = try? load(base, config: nil), let ourSchedule = try? load(ours, config: nil),
            let theirSchedule = try? load(theirs, config: nil),
            let ourRest = withoutOverrides(merged), ourRest == withoutOverrides(theirYAML)
        else { return nil }
        let kept = Set(baseSchedule.overrides.map(\.identity))
        let ourOverrides = Set(ourSchedule.overrides.map(\.identity))
        let theirOverrides = Set(theirSchedule.overrides.map(\.identity))
        guard kept.isSubset(of: ourOverrides), kept.isSubset(of: theirOverrides), let theirBlock = theirYAML.rawText(of: "overrides") else {
            return nil
        }
        let known = Set(lines(of: merged.rawText(of: "overrides") ?? "") + lines(of: baseYAML.rawText(of: "overrides") ?? ""))
        let added = lines(of: theirBlock).filter { !known.contains($0) && !$0.allSatisfy(\.isWhitespace) }
        var block = merged.rawText(of: "overrides") ?? ("overrides:" + merged.newline)
        if !block.hasSuffix("\n") && !block.hasSuffix("\r") { block += merged.newline }
        block += added.map { $0 + merged.newline }.joined()
        guard (try? merged.setRawText("overrides", block, order: knownKeys)) != nil, let result = try? load(merged.text, config: nil),
            result.overrides.count == ourSchedule.overrides.count + theirOverrides.subtracting(ourOverrides).count,
            Set(result.overrides.map(\.identity)) == ourOverrides.union(theirOverrides)
        else { return nil }
        for (index, override) in result.overrides.enumerated()
        where result.overrides[(index + 1)...].contains(where: { $0.rotation == override.rotation && $0.overlaps(override) }) {
            return nil
        }
        return merged.text
    }

    private static func withoutOverrides(_ yaml: YAMLText) -> String? {
        var yaml = yaml
        return (try? yaml.set("overrides", nil)).map { yaml.text }
    }

    private static func lines(of block: String) -> [String] {
        block.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }
}

extension Override {
    /// The override as a fact, whatever line it stands on.
    fileprivate var identity: [String] {
        [rotation, person, String(from.timeIntervalSince1970), String(until.timeIntervalSince1970)]
    }
}
