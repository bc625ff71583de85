import Foundation
import GitStore
import Yams

/// The three-way merge of one ops Markdown document that `ops sync` makes when both sides
/// changed it: front matter field by field, the timeline as a union in time order, every other
/// line as Git merges lines, with both versions kept in a conflict block where lines clash.
struct DocumentMerge {
    /// A front-matter field both sides changed to different values, and which value was kept.
    struct FieldConflict: Equatable {
        var key: String
        var kept: FieldChange
        var lost: FieldChange
    }

    /// One side's value of a field and when and by whom it was set.
    struct FieldChange: Equatable {
        /// The value as YAML writes it, nil when the field was removed.
        var value: String?
        var time: Date
        var author: String
    }

    struct Result {
        var text: String
        /// True when some lines clashed and are kept from both sides between conflict markers.
        var hasConflictBlock: Bool
        var fieldConflicts: [FieldConflict]
    }

    /// When and by whom a side last set `key` to the value it has now; nil when no commit on
    /// that side since the merge base changed the field.
    typealias ChangeFinder = (_ key: String, _ ourSide: Bool) throws -> (time: Date, author: String)?

    let path: String
    /// Conflict block labels: `<<<<<<< ourLabel` ... `>>>>>>> theirLabel`.
    let ourLabel: String
    let theirLabel: String

    /// Merges `ours` and `theirs` from their common `base` (nil: the file is new on both sides).
    /// Front-matter clashes keep the later change (by commit time, `changeTime`) and, when `note`
    /// is given, add a `sync` timeline entry naming the value that was not kept.
    func merge(base: String?, ours: String, theirs: String, changeTime: ChangeFinder,
               note: (at: Date, actor: String)?) throws -> Result {
        let baseDocument = try base.map { try MarkdownDocument($0, path: path) }
        var result = try MarkdownDocument(ours, path: path)
        let theirDocument = try MarkdownDocument(theirs, path: path)
        guard (result.frontMatter == nil) == (theirDocument.frontMatter == nil) else {
            // Merged as plain lines instead, so neither side's front matter is dropped.
            throw OpsError.file(path, line: 1, "has front matter on one side of the merge only")
        }

        var conflicts: [FieldConflict] = []
        if var fields = result.frontMatter, let theirFields = theirDocument.frontMatter {
            conflicts = try mergeFields(&fields, base: baseDocument?.frontMatter, theirs: theirFields, changeTime: changeTime)
            result.frontMatter = fields
        }

        let (body, clashed) = try mergeBody(base: baseDocument?.body, ours: result.body, theirs: theirDocument.body)
        result.body = body
        if let note, !conflicts.isEmpty {
            for conflict in conflicts {
                result.body = Timeline.append(Self.note(for: conflict, at: note.at, actor: note.actor), to: result.body)
            }
        }
        return Result(text: result.text, hasConflictBlock: clashed, fieldConflicts: conflicts)
    }

    /// The timeline entry that records a field clash: `**sync** severity: kept SEV1 (Bob, 18:07Z); not kept: SEV3 (Alice, 18:05Z)`.
    static func note(for conflict: FieldConflict, at: Date, actor: String) -> TimelineEntry {
        func describe(_ change: FieldChange) -> String {
            "\(change.value ?? "(removed)") (\(change.author), \(Timestamp.format(change.time)))"
        }
        return TimelineEntry(at: at, actor: actor, kind: "sync",
                             text: "\(conflict.key): kept \(describe(conflict.kept)); not kept: \(describe(conflict.lost))")
    }

    // MARK: Front matter

    private func mergeFields(_ ours: inout YAMLText, base: YAMLText?, theirs: YAMLText,
                             changeTime: ChangeFinder) throws -> [FieldConflict] {
        var keys = ours.keys
        for key in theirs.keys + (base?.keys ?? []) where !keys.contains(key) { keys.append(key) }
        let order = Self.order(ours.keys, theirs.keys)
        var conflicts: [FieldConflict] = []
        for key in keys {
            let baseValue = base?[key], ourValue = ours[key], theirValue = theirs[key]
            if Self.same(ourValue, theirValue) { continue }
            // A side changed a field when its value differs from the base, or when its history
            // set it (a change back to the base value is a change too, and may be the later one).
            let ourChange = try changeTime(key, true) ?? (Self.same(baseValue, ourValue) ? nil : (.distantPast, ""))
            let theirChange = try changeTime(key, false) ?? (Self.same(baseValue, theirValue) ? nil : (.distantPast, ""))
            guard let ourChange else {  // only they changed it
                try ours.setRawText(key, theirs.rawText(of: key), order: order)
                continue
            }
            guard let theirChange else { continue }  // only we changed it
            let ourText = Self.describe(key, ourValue), theirText = Self.describe(key, theirValue)
            // The later change wins; equal times are settled by the values, so both clones agree.
            let theirsWin = theirChange.time != ourChange.time ? theirChange.time > ourChange.time : (theirText ?? "") > (ourText ?? "")
            let ourSide = FieldChange(value: ourText, time: ourChange.time, author: ourChange.author)
            let theirSide = FieldChange(value: theirText, time: theirChange.time, author: theirChange.author)
            if theirsWin {
                try ours.setRawText(key, theirs.rawText(of: key), order: order)
                conflicts.append(FieldConflict(key: key, kept: theirSide, lost: ourSide))
            } else {
                conflicts.append(FieldConflict(key: key, kept: ourSide, lost: theirSide))
            }
        }
        return conflicts
    }

    /// Keys in the order a new key is placed by: ops' own order for incidents, then each side's.
    private static func order(_ ours: [String], _ theirs: [String]) -> [String] {
        var order = Incident.fieldOrder
        for key in theirs + ours where !order.contains(key) { order.append(key) }
        return order
    }

    private static func same(_ a: Node?, _ b: Node?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return YAMLText.sameValue(x, y)
        default: return false
        }
    }

    /// A value as one line of YAML (`SEV2`, `[a, b]`), nil when absent.
    static func describe(_ key: String, _ value: Node?) -> String? {
        guard let value else { return nil }
        if let text = value.scalarText { return text }
        let line = (try? YAMLText.emit(key: key, value: value))?.joined(separator: " ") ?? ""
        return String(line.dropFirst(key.count + 1)).trimmingCharacters(in: .whitespaces)
    }

    // MARK: Body

    /// Lines that stand for the timeline while the rest of the body is merged line by line.
    private static let placeholder = "<!-- ops sync: timeline merged separately -->"

    private func mergeBody(base: String?, ours: String, theirs: String) throws -> (String, Bool) {
        let baseParts = base.map(TimelineSection.init), ourParts = TimelineSection(ours), theirParts = TimelineSection(theirs)
        let merged = try GitRepository.mergeText(
            base: Data((baseParts?.withPlaceholder(Self.placeholder) ?? "").utf8),
            ours: Data(ourParts.withPlaceholder(Self.placeholder).utf8),
            theirs: Data(theirParts.withPlaceholder(Self.placeholder).utf8),
            ourLabel: ourLabel, theirLabel: theirLabel, showBase: true)
        var (text, clashed) = merged.hasConflicts
            ? settleLineByLine(String(decoding: merged.content, as: UTF8.self))
            : (String(decoding: merged.content, as: UTF8.self), false)
        let timeline = TimelineSection.union(base: baseParts?.items ?? [], ours: ourParts, theirs: theirParts)
        if let range = text.range(of: Self.placeholder + "\n") ?? text.range(of: Self.placeholder) {
            text.replaceSubrange(range, with: timeline)
        } else if !timeline.isEmpty {
            // Neither side kept a timeline section around the placeholder: keep the entries anyway.
            text += (text.hasSuffix("\n") || text.isEmpty ? "" : "\n") + "\n" + Timeline.heading + "\n" + timeline
        }
        return (text, clashed)
    }

    /// Git counts changes to neighbouring lines as one clash: two people ticking the next two
    /// steps of a checklist offline would need a person. Where base, ours and theirs have the
    /// same number of lines in a block, each line is merged on its own; a block is kept for a
    /// person only when the same line changed on both sides. Blocks come in diff3 form
    /// (`<<<<<<<`, ours, `|||||||`, base, `=======`, theirs, `>>>>>>>`) and leave as two-way blocks.
    private func settleLineByLine(_ text: String) -> (String, Bool) {
        let lines = YAMLText.split(text)
        var output = ""
        var clashed = false
        var index = 0
        func body(_ line: YAMLText.Line) -> String { line.text + line.terminator }
        while index < lines.count {
            let line = lines[index]
            guard line.text.hasPrefix("<<<<<<< "),
                  let baseMark = lines[index...].firstIndex(where: { $0.text.hasPrefix("||||||| ") }),
                  let middle = lines[baseMark...].firstIndex(where: { $0.text == "=======" }),
                  let end = lines[middle...].firstIndex(where: { $0.text.hasPrefix(">>>>>>> ") }) else {
                output += body(line)
                index += 1
                continue
            }
            let ours = Array(lines[(index + 1)..<baseMark]), base = Array(lines[(baseMark + 1)..<middle])
            let theirs = Array(lines[(middle + 1)..<end])
            var settled: [YAMLText.Line]? = nil
            if ours.count == base.count, theirs.count == base.count {
                settled = []
                for i in base.indices {
                    if ours[i].text == theirs[i].text || theirs[i].text == base[i].text {
                        settled?.append(ours[i])
                    } else if ours[i].text == base[i].text {
                        settled?.append(theirs[i])
                    } else {
                        settled = nil
                        break
                    }
                }
            }
            if let settled {
                output += settled.map(body).joined()
            } else {
                clashed = true
                output += body(line) + ours.map(body).joined() + body(lines[middle]) + theirs.map(body).joined() + body(lines[end])
            }
            index = end + 1
        }
        return (output, clashed)
    }
}

/// A body split around its `## Timeline` section, the section cut into items: one entry with its
/// continuation lines, or one other line. Entries are compared by their exact text.
struct TimelineSection {
    struct Item: Equatable {
        var text: String
        /// The entry's time, nil for a line that is not an entry (blank, or hand-written).
        var at: Date?
    }

    /// Everything up to and including the heading line; the whole body when there is no timeline.
    let head: String
    let items: [Item]
    /// From the next heading on.
    let tail: String
    let hasTimeline: Bool

    init(_ body: String) {
        let lines = YAMLText.split(body)
        guard let start = lines.firstIndex(where: { Timeline.isTimelineHeading($0.text) }) else {
            head = body
            items = []
            tail = ""
            hasTimeline = false
            return
        }
        var end = start + 1
        while end < lines.count, !Timeline.isHeading(lines[end].text) { end += 1 }
        func join(_ range: Range<Int>) -> String { lines[range].map { $0.text + $0.terminator }.joined() }
        head = join(0..<start + 1)
        tail = join(end..<lines.count)
        var items: [Item] = []
        for line in lines[(start + 1)..<end] {
            let text = line.text + (line.terminator.isEmpty ? "\n" : line.terminator)
            if line.text.hasPrefix("  "), let last = items.indices.last, items[last].at != nil {
                items[last].text += text
            } else {
                items.append(Item(text: text, at: Timeline.entry(from: line.text)?.at))
            }
        }
        self.items = items
        hasTimeline = true
    }

    /// The body with the section's items replaced by one placeholder line.
    func withPlaceholder(_ placeholder: String) -> String {
        hasTimeline ? head + placeholder + "\n" + tail : head
    }

    /// Our items with their entries joined by theirs: every entry either side has, once, except
    /// those one side removed from the base; their new entries go in by time.
    static func union(base: [Item], ours: TimelineSection, theirs: TimelineSection) -> String {
        let ourTexts = Set(ours.items.map(\.text)), theirTexts = Set(theirs.items.map(\.text))
        let removed = Set(base.filter { $0.at != nil && (!ourTexts.contains($0.text) || !theirTexts.contains($0.text)) }.map(\.text))
        var result = ours.items.filter { !removed.contains($0.text) }
        var present = Set(result.map(\.text))
        // Blank lines at the end of the section stay at the end.
        var trailing: [Item] = []
        while let last = result.last, last.at == nil, last.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            trailing.insert(result.removeLast(), at: 0)
        }
        for item in theirs.items where item.at != nil && !present.contains(item.text) && !removed.contains(item.text) {
            // A line that is not an entry stands where the entry before it stands in time.
            var times: [Date] = []
            for existing in result { times.append(existing.at ?? times.last ?? .distantPast) }
            let position = (times.lastIndex { $0 <= item.at! }).map { $0 + 1 } ?? 0
            result.insert(item, at: position)
            present.insert(item.text)
        }
        return (result + trailing).map(\.text).joined()
    }
}
