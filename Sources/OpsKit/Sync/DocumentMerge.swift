import Foundation
import GitStore
import Yams

/// The three-way merge of one ops Markdown document that `ops sync` makes when both sides
/// changed it: front matter field by field by the rules of docs/DESIGN.md §8 (`FieldMerge`), the
/// timeline as a union in time order, generated sections regenerated, every other line as Git
/// merges lines, with both versions kept in a conflict block where lines clash.
///
/// Same inputs give the same bytes whichever side is "ours": a clone that merges A into B and
/// one that merges B into A write the same file. The merge edits only the lines of the fields
/// it changes, so comments, key order, unknown keys and line endings of either side survive.
struct DocumentMerge {
    struct Result {
        var text: String
        /// True when some lines clashed and are kept from both sides between conflict markers.
        var hasConflictBlock: Bool
        /// Values that did not survive the merge; each is a `sync` note in the timeline.
        var fieldConflicts: [FieldMerge.Loss]
    }

    /// When and by whom a side last set `key` to the value it has now; nil when no commit on
    /// that side since the merge base changed the field.
    typealias ChangeFinder = (_ key: String, _ ourSide: Bool) throws -> (time: Date, author: String)?

    let path: String
    /// Conflict block labels: `<<<<<<< ourLabel` ... `>>>>>>> theirLabel`.
    let ourLabel: String
    let theirLabel: String
    /// Position of a severity in ops.yaml, 0 the most severe (nil: unknown).
    var severityRank: (String) -> Int? = { _ in nil }
    /// Sections ops writes from other data (a postmortem's timeline table, its response times),
    /// by heading: their merged content, written in place of whatever either side had.
    var generatedSections: [String: String] = [:]
    /// For a document new on both sides (no base): the body a fresh one has, before anyone wrote
    /// in it (a postmortem's draft). The body's line merge takes it as the base both sides grew
    /// from, so what two people wrote in different sections merges instead of clashing whole.
    var newDocumentBody: String?

    /// Who the timeline names for a sync note: the merge's own decision, whoever runs it.
    static let noteActor = "ops"

    /// Merges `ours` and `theirs` from their common `base` (nil: the file is new on both sides).
    /// With `notes`, every value that lost is written to the timeline as a `sync` entry.
    func merge(base: String?, ours: String, theirs: String, changeTime: ChangeFinder, notes: Bool = true) throws -> Result {
        if ours == theirs || theirs == base { return Result(text: ours, hasConflictBlock: false, fieldConflicts: []) }
        if ours == base { return Result(text: theirs, hasConflictBlock: false, fieldConflicts: []) }
        let newline = LineEnding.merged(base: base, ours: ours, theirs: theirs)
        let baseDocument = try base.map { try MarkdownDocument(LineEnding.lf($0), path: path) }
        var result = try MarkdownDocument(LineEnding.lf(ours), path: path)
        let theirDocument = try MarkdownDocument(LineEnding.lf(theirs), path: path)
        guard (result.frontMatter == nil) == (theirDocument.frontMatter == nil) else {
            // Merged as plain lines instead, so neither side's front matter is dropped.
            throw OpsError.file(path, line: 1, "has front matter on one side of the merge only")
        }

        var losses: [FieldMerge.Loss] = []
        if let ourFields = result.frontMatter, let theirFields = theirDocument.frontMatter {
            let (outcomes, lost) = try withoutActuallyEscaping(changeTime) { changeTime in
                try FieldMerge(
                    base: baseDocument?.frontMatter,
                    ours: .init(fields: ourFields, timeline: Timeline.parse(body: result.body, firstLine: 1).entries),
                    theirs: .init(fields: theirFields, timeline: Timeline.parse(body: theirDocument.body, firstLine: 1).entries),
                    changeTime: changeTime, severityRank: severityRank, initialStatus: initialStatus
                ).resolve()
            }
            losses = lost
            result.frontMatter = try mergedFields(base: baseDocument?.frontMatter, ours: ourFields, theirs: theirFields, outcomes: outcomes)
        }
        let entries = notes ? losses.map(Self.note) : []
        let (body, clashed) = try mergeBody(
            base: baseDocument?.body ?? newDocumentBody.map(LineEnding.lf), ours: result.body, theirs: theirDocument.body, notes: entries)
        result.body = body
        return Result(text: LineEnding.apply(newline, to: result.text), hasConflictBlock: clashed, fieldConflicts: losses)
    }

    /// The timeline entry that records a lost value: `**sync** severity: kept SEV1 (Bob, 18:07Z); not kept: SEV3 (Alice, 18:05Z)`.
    static func note(_ loss: FieldMerge.Loss) -> TimelineEntry {
        TimelineEntry(at: loss.at, actor: noteActor, kind: "sync", text: "\(loss.key): kept \(loss.kept); not kept: \(loss.lost)")
    }

    // MARK: Front matter

    /// The merged front matter: the lines both sides' hand edits leave (comments, key order,
    /// unknown keys), with each field set to the value the rules chose.
    private func mergedFields(base: YAMLText?, ours: YAMLText, theirs: YAMLText, outcomes: [String: FieldMerge.Outcome]) throws -> YAMLText {
        var merged = try carrier(base: base, ours: ours, theirs: theirs)
        var keys = base?.keys ?? []
        for key in (ours.keys + theirs.keys).sorted() where !keys.contains(key) { keys.append(key) }
        var order = Incident.fieldOrder
        for key in keys where !order.contains(key) { order.append(key) }
        for key in keys {
            let outcome = outcomes[key] ?? (ours[key] == nil ? .removed : .ours)
            switch outcome {
            case .ours, .theirs:
                var side = outcome == .ours ? ours : theirs
                // The same value written two ways on the two sides: the same choice on both clones.
                if FieldMerge.same(ours[key], theirs[key]), let a = ours.rawText(of: key), let b = theirs.rawText(of: key) {
                    side = a <= b ? ours : theirs
                }
                guard let value = side[key], let raw = side.rawText(of: key) else { continue }
                let other = outcome == .ours ? theirs : ours
                let line = Self.keepingComment(raw, of: key, kept: side, other: other, base: base)
                if let current = merged[key], YAMLText.sameValue(current, value), merged.rawText(of: key) == line { continue }
                try merged.setRawText(key, line, order: order)
            case .value(let node):
                if let current = merged[key], YAMLText.sameValue(current, node) { continue }
                try merged.set(key, node, order: order)
            case .removed:
                try merged.setRawText(key, nil)
            }
        }
        return merged
    }

    /// `raw`, the kept side's one-line `key: value`, with the comment the other side wrote at the
    /// end of its own line of `key`, when only that side changed the comment: a value one person
    /// set and a note another wrote beside it are both kept.
    static func keepingComment(_ raw: String, of key: String, kept: YAMLText, other: YAMLText, base: YAMLText?) -> String {
        func line(_ fields: YAMLText?) -> (text: String, comment: String?)? {
            guard let fields, let value = fields[key], let raw = fields.rawText(of: key) else { return nil }
            // "\r\n" is one Character: either line break is one to drop.
            let text = raw.hasSuffix("\r\n") || raw.hasSuffix("\n") ? String(raw.dropLast()) : raw
            guard !text.contains("\n") else { return nil }
            return (text, YAMLText.trailingComment(of: text, key: key, value: value))
        }
        guard let keptLine = line(kept), let otherComment = line(other)?.comment,
            otherComment != line(base)?.comment, keptLine.comment == line(base)?.comment
        else { return raw }
        let value = keptLine.comment.map { String(keptLine.text.dropLast($0.count)) } ?? keptLine.text
        return value + otherComment + raw.dropFirst(keptLine.text.count)
    }

    /// The lines the merged front matter starts from: Git's line merge of both sides, each with
    /// the values of the fields it shares with the base put back to the base's, so only hand
    /// edits (comments, order, new keys) are merged as lines and values never clash as lines.
    /// When even those clash, the side with hand edits (or, both having some, the first by bytes).
    private func carrier(base: YAMLText?, ours: YAMLText, theirs: YAMLText) throws -> YAMLText {
        func neutral(_ side: YAMLText, _ other: YAMLText) throws -> YAMLText {
            var copy = side
            for key in side.keys {
                if let raw = base?.rawText(of: key) {
                    try copy.setRawText(key, raw)
                } else if let mine = side.rawText(of: key), let yours = other.rawText(of: key) {
                    try copy.setRawText(key, min(mine, yours))
                }
            }
            return copy
        }
        let a = try neutral(ours, theirs), b = try neutral(theirs, ours)
        let baseText = base?.text ?? ""
        if a.text == b.text { return a }
        let lines = try GitRepository.mergeText(
            base: Data(baseText.utf8), ours: Data(a.text.utf8), theirs: Data(b.text.utf8),
            ourLabel: ourLabel, theirLabel: theirLabel, showBase: true, markerSize: ConflictBlocks.markerSize)
        let text = String(decoding: lines.content, as: UTF8.self)
        if let settled = lines.hasConflicts ? Self.settlingLineSets(text) : text,
            let merged = try? YAMLText(settled, path: path, firstLine: ours.firstLine)
        {
            return merged
        }
        let aEdited = a.text != baseText, bEdited = b.text != baseText
        if aEdited != bEdited { return aEdited ? a : b }
        return a.text <= b.text ? a : b
    }

    /// Front-matter lines that clash as lines (a key moved on one side, a comment added beside
    /// it on the other; two comments added at one place) are settled as a set: every line a side
    /// added, without the lines of the base a side removed, in the order that sorts first by
    /// bytes so both clones agree. Nil when the text has a block that is not in diff3 form.
    static func settlingLineSets(_ text: String) -> String? {
        let settled = ConflictBlocks.settling(text) { block in
            func settled(_ first: [YAMLText.Line], _ second: [YAMLText.Line]) -> String {
                let removedByFirst = Set(block.base.map(\.text)).subtracting(first.map(\.text))
                let removedBySecond = Set(block.base.map(\.text)).subtracting(second.map(\.text))
                let kept = first.filter { !removedBySecond.contains($0.text) }
                let added = second.filter { !removedByFirst.contains($0.text) && !kept.map(\.text).contains($0.text) }
                return ConflictBlocks.join(kept + added)
            }
            return min(settled(block.ours, block.theirs), settled(block.theirs, block.ours))
        }
        return settled.wellFormed ? settled.text : nil
    }

    // MARK: Body

    private var isPostmortem: Bool { Postmortem.isFile(path) }

    /// The status `ops` makes a document of this kind with: a postmortem's draft, a backlog item.
    private var initialStatus: String? {
        if isPostmortem { return "Draft" }
        return path.hasPrefix(BacklogService.locator.folder + "/") ? "open" : nil
    }

    /// The body: generated sections and the timeline are first made the same on all three
    /// versions (regenerated, or the union of entries), so the line merge only meets what
    /// people wrote.
    private func mergeBody(base: String?, ours: String, theirs: String, notes: [TimelineEntry]) throws -> (String, Bool) {
        var versions = [base, ours, theirs]
        var union = ""
        if !generatedSections.isEmpty {
            versions = versions.map {
                $0.map { text in
                    generatedSections.keys.sorted().reduce(text) { Self.replacingSection($1, with: generatedSections[$1]!, in: $0) }
                }
            }
        } else if !isPostmortem {
            let sections = versions.map { $0.map(TimelineSection.init) }
            union = TimelineSection.union(
                base: sections[0]?.items ?? [], ours: sections[1]!, theirs: sections[2]!,
                notes: notes.map { TimelineSection.Item(text: $0.markdown + "\n", at: $0.at) })
            versions = sections.map { $0.map { $0.hasTimeline ? $0.head + union + $0.tail : $0.head } }
        }
        let merged = try GitRepository.mergeText(
            base: Data((versions[0] ?? "").utf8), ours: Data(versions[1]!.utf8), theirs: Data(versions[2]!.utf8),
            ourLabel: ourLabel, theirLabel: theirLabel, showBase: true, markerSize: ConflictBlocks.markerSize)
        var (text, clashed) =
            merged.hasConflicts
            ? settleLineByLine(String(decoding: merged.content, as: UTF8.self))
            : (String(decoding: merged.content, as: UTF8.self), false)
        if !union.isEmpty, !YAMLText.split(text).contains(where: { Timeline.isTimelineHeading($0.text) }) {
            // Neither side kept a timeline section: keep the entries anyway.
            text += (text.hasSuffix("\n") || text.isEmpty ? "" : "\n") + "\n" + Timeline.heading + "\n" + union
        }
        return (text, clashed)
    }

    /// `text` with the lines under `heading` (up to the next heading) replaced by `content`.
    static func replacingSection(_ heading: String, with content: String, in text: String) -> String {
        let lines = YAMLText.split(text)
        guard let start = lines.firstIndex(where: { $0.text.trimmingCharacters(in: .whitespaces) == heading }) else { return text }
        var end = start + 1
        while end < lines.count, !Timeline.isHeading(lines[end].text) { end += 1 }
        func join(_ range: Range<Int>) -> String { lines[range].map { $0.text + $0.terminator }.joined() }
        let heading = join(start..<start + 1)
        return join(0..<start) + heading + (heading.hasSuffix("\n") ? "" : "\n") + content + join(end..<lines.count)
    }

    /// Git counts changes to neighbouring lines as one clash: two people ticking the next two
    /// steps of a checklist offline would need a person. Where base, ours and theirs have the
    /// same number of lines in a block, each line is merged on its own; a block is kept for a
    /// person only when the same line changed on both sides. Blocks come in diff3 form
    /// (`<<<<<<<`, ours, `|||||||`, base, `=======`, theirs, `>>>>>>>`) and leave as two-way blocks.
    private func settleLineByLine(_ text: String) -> (String, Bool) {
        var clashed = false
        let settled = ConflictBlocks.settling(text) { block in
            if isPostmortem, let both = Self.bothLists(block) { return both }
            if block.ours.count == block.base.count, block.theirs.count == block.base.count {
                var lines: [YAMLText.Line] = []
                for (mine, (was, yours)) in zip(block.ours, zip(block.base, block.theirs)) {
                    if mine.text == yours.text || yours.text == was.text {
                        lines.append(mine)
                    } else if mine.text == was.text {
                        lines.append(yours)
                    } else if isPostmortem,
                        let joined = Self.linking(mine.text, was: was.text, yours.text) ?? Self.linking(yours.text, was: was.text, mine.text)
                    {
                        var line = mine
                        line.text = joined
                        lines.append(line)
                    } else {
                        break
                    }
                }
                if lines.count == block.base.count { return ConflictBlocks.join(lines) }
            }
            clashed = true
            return block.twoWay
        }
        return (settled.text, clashed)
    }

    /// Two people added list items at the same place (two action items, two contributing
    /// factors) and removed nothing: both sides' items, each once, the side whose items sort first
    /// first, so both clones write the same. Nil when the block is anything else.
    static func bothLists(_ block: ConflictBlocks.Block) -> String? {
        guard block.base.isEmpty, !block.ours.isEmpty, !block.theirs.isEmpty,
            (block.ours + block.theirs).allSatisfy({ $0.text.hasPrefix("- ") })
        else { return nil }
        let oursFirst = block.ours.map(\.text).lexicographicallyPrecedes(block.theirs.map(\.text))
        let (first, second) = oursFirst ? (block.ours, block.theirs) : (block.theirs, block.ours)
        let seen = Set(first.map(\.text))
        var lines = first + second.filter { !seen.contains($0.text) }
        // A side's last line may end the file without a line break; inside, every line has one.
        for index in lines.indices.dropLast() where lines[index].terminator.isEmpty { lines[index].terminator = "\n" }
        return ConflictBlocks.join(lines)
    }

    /// An action item's line where the side that wrote `linked` only added the link `ops backlog
    /// sync` writes at the end (` (BL-…)`) and `other` changed it otherwise (ticked it, edited
    /// it): `other` with that link, so both changes stay. Nil when that is not the case, or when
    /// `other` carries another link (then a person decides).
    static func linking(_ other: String, was: String, _ linked: String) -> String? {
        guard linked.hasPrefix(was), let id = BacklogService.linkedID(String(linked.dropFirst(was.count))), linked == was + " (\(id))" else {
            return nil
        }
        switch BacklogService.linkedID(other) {
        case id?: return other
        case nil: return other + " (\(id))"
        default: return nil
        }
    }
}

/// The conflict blocks of Git's diff3 output (`<<<<<<<`, ours, `|||||||`, base, `=======`,
/// theirs, `>>>>>>>`), each replaced by what a merge rule makes of it. The merge writes its
/// markers `markerSize` long, so a block a document already holds (from an earlier sync) is
/// read as lines of a side, not as the edges of the new block.
enum ConflictBlocks {
    static let markerSize = 32

    struct Block {
        var ours: [YAMLText.Line]
        var base: [YAMLText.Line]
        var theirs: [YAMLText.Line]
        /// The block as Git shows it without the base, for a person to settle (Git's own
        /// 7-character markers).
        var twoWay: String
    }

    /// `text` with each block replaced by `settle`'s text; a `<<<<<<<` line that opens no whole
    /// block stays as it is, and `wellFormed` is then false.
    static func settling(_ text: String, _ settle: (Block) -> String) -> (text: String, wellFormed: Bool) {
        func marker(_ character: Character) -> String { String(repeating: character, count: markerSize) }
        let (open, base, middle, close) = (marker("<") + " ", marker("|") + " ", marker("="), marker(">") + " ")
        /// A marker line as Git writes it for a person: 7 characters, then the label.
        func short(_ line: YAMLText.Line) -> YAMLText.Line {
            var line = line
            line.text = String(line.text.dropFirst(markerSize - 7))
            return line
        }
        let lines = YAMLText.split(text)
        var output = ""
        var wellFormed = true
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.text.hasPrefix(open) else {
                output += join([line])
                index += 1
                continue
            }
            guard let baseMark = lines[index...].firstIndex(where: { $0.text.hasPrefix(base) }),
                let middleMark = lines[baseMark...].firstIndex(where: { $0.text == middle }),
                let end = lines[middleMark...].firstIndex(where: { $0.text.hasPrefix(close) })
            else {
                wellFormed = false
                output += join([line])
                index += 1
                continue
            }
            let ours = Array(lines[(index + 1)..<baseMark]), theirs = Array(lines[(middleMark + 1)..<end])
            output += settle(
                Block(
                    ours: ours, base: Array(lines[(baseMark + 1)..<middleMark]), theirs: theirs,
                    twoWay: join([short(line)] + ours + [short(lines[middleMark])] + theirs + [short(lines[end])])))
            index = end + 1
        }
        return (output, wellFormed)
    }

    static func join(_ lines: [YAMLText.Line]) -> String { lines.map { $0.text + $0.terminator }.joined() }
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

    /// Every entry either side has, once, except those one side removed from the base. The
    /// base's lines keep their order; each new line (from either side, and the `notes`) goes in
    /// after the last line not later than it, new lines taken by time and then text, so the
    /// result does not depend on which side is ours. A line that is not an entry counts at the
    /// time of the entry before it on its own side.
    static func union(base: [Item], ours: TimelineSection, theirs: TimelineSection, notes: [Item] = []) -> String {
        func timed(_ items: [Item]) -> [(at: Date, item: Item)] {
            var last = Date.distantPast
            return items.map { item in
                if let at = item.at { last = at }
                return (last, item)
            }
        }
        func counts(_ items: [Item]) -> [String: Int] { items.reduce(into: [:]) { $0[$1.text, default: 0] += 1 } }
        func trimmed(_ items: [Item]) -> (items: [Item], trailing: [Item]) {
            var result = items
            // Blank lines at the end of the section stay at the end.
            var trailing: [Item] = []
            while let last = result.last, last.at == nil, last.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                trailing.insert(result.removeLast(), at: 0)
            }
            return (result, trailing)
        }
        let a = trimmed(ours.items), b = trimmed(theirs.items), was = trimmed(base)
        let aCount = counts(a.items), bCount = counts(b.items)
        // A base line stays while both sides still have it.
        var left = was.items.reduce(into: [String: Int]()) { $0[$1.text] = min(aCount[$1.text] ?? 0, bCount[$1.text] ?? 0) }
        var result: [(at: Date, item: Item)] = []
        for line in timed(was.items) where left[line.item.text, default: 0] > 0 {
            left[line.item.text]! -= 1
            result.append(line)
        }
        // New lines: what a side has beyond the base, as often as the side that has it most.
        let baseCount = counts(was.items)
        var added: [String: (at: Date, item: Item)] = [:]
        var addedCount: [String: Int] = [:]
        for side in [timed(a.items), timed(b.items)] {
            var seen: [String: Int] = [:]
            for line in side {
                seen[line.item.text, default: 0] += 1
                let extra = seen[line.item.text]! - (baseCount[line.item.text] ?? 0)
                if extra > 0 {
                    addedCount[line.item.text] = max(addedCount[line.item.text] ?? 0, extra)
                    if let known = added[line.item.text], known.at <= line.at { continue }
                    added[line.item.text] = line
                }
            }
        }
        var new: [(at: Date, item: Item)] = []
        for (text, line) in added { new += Array(repeating: line, count: addedCount[text] ?? 1) }
        new += notes.map { ($0.at ?? .distantPast, $0) }
        for line in new.sorted(by: { ($0.at, $0.item.text) < ($1.at, $1.item.text) }) {
            let position = (result.lastIndex { $0.at <= line.at }).map { $0 + 1 } ?? 0
            result.insert(line, at: position)
        }
        let trailing = a.trailing.count >= b.trailing.count ? a.trailing : b.trailing
        return (result.map(\.item) + trailing).map(\.text).joined()
    }
}

/// The line break a merged file is written with: a side that changed it from the base wins
/// (a person who converted the file to CRLF keeps it so); two different changes: CRLF.
enum LineEnding {
    static func isCRLF(_ text: String) -> Bool {
        let lines = YAMLText.split(text)
        return lines.filter { $0.terminator == "\r\n" }.count * 2 > lines.count
    }

    static func merged(base: String?, ours: String, theirs: String) -> Bool {
        let o = isCRLF(ours), t = isCRLF(theirs)
        guard let base else { return o || t }
        let b = isCRLF(base)
        if o != b && t != b { return o || t }
        return o != b ? o : t != b ? t : b
    }

    /// The text with LF line breaks only.
    static func lf(_ text: String) -> String {
        text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
    }

    static func apply(_ crlf: Bool, to text: String) -> String {
        crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
    }
}
