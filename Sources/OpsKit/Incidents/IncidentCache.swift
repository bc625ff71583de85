import Foundation
import GitStore

/// Parsed incidents (without timelines) by the Git blob and path they were read from, kept in
/// `.git/ops/incidents.cache`. Derived and versioned: an unchanged file is never parsed twice,
/// and deleting the cache only costs one slower run. A blob id names its content, so an entry
/// can never be stale; entries for blobs no longer listed are dropped when the cache is saved.
struct IncidentCache {
    static let header = "ops incident cache 5"
    private static let clockPoints = ClockPoint.allCases
    /// Fields of a record: 17 texts, then one per clock point.
    private static let fieldCount = 17 + clockPoints.count

    let path: String
    /// The file's records as read, each a line with its line break, in one buffer. As bytes, a
    /// cache of 100k incidents costs its file's size (35 MB); a string per record and per key
    /// cost twice that.
    private var text = Data()
    /// Where each record's line starts in `text`, by the blob it was read from; a record names
    /// its path too, checked on lookup.
    private var starts: [ObjectID: Int] = [:]
    /// The same for a record whose blob's place in `starts` holds another path (two files with
    /// the same bytes), by key: rare, so a string each.
    private var others: [String: Int] = [:]
    /// Records stored since, by path: each one's blob and line (line break included) in `added`.
    private var addedLines: [String: (blob: ObjectID, line: Range<Int>)] = [:]
    /// Their bytes: a cold run at 100k incidents makes 35 MB of them, written on to a temp file
    /// rather than held (`SpillBuffer`). A class: a cache has one owner, never copies that store.
    private var added: SpillBuffer
    private(set) var changed = false
    /// The `incidents/` tree id the entries are exactly, when they are.
    private(set) var tree: String?

    init(gitDirectory: String) {
        let path = gitDirectory + "/ops/incidents.cache"
        self.init(path: path, data: FileManager.default.contents(atPath: path))
    }

    /// The cache kept at `path`, read from `data` (its bytes; nil when there is no file);
    /// records stored are held in memory up to `held` bytes, then written on to a temp file.
    init(path: String, data: Data?, held: Int = SpillBuffer.defaultHeld, window: Int = SpillBuffer.defaultWindow) {
        self.path = path
        added = SpillBuffer(beside: path, held: held, window: window)
        guard let data else { return }
        text = data
        var starts: [ObjectID: Int] = [:]
        var others: [String: Int] = [:]
        let read = Self.records(text) { _ in
            true
        } each: { buffer, start, end in
            // A key starts with its blob id, which has nothing to escape.
            guard end - start > 40, let blob = ObjectID(hex: String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<start + 40]), as: UTF8.self))
            else { return }
            if starts[blob] == nil {
                starts[blob] = start
            } else if let tab = buffer[start..<end].firstIndex(of: 0x09) {
                let key = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<tab]), as: UTF8.self)
                others[BackslashEscapes.decode(key, BackslashEscapes.separators)] = start
            }
        }
        // A damaged file is taken as missing: every incident is parsed again and the file rewritten.
        guard read.intact else { return }
        tree = read.tree
        self.starts = starts
        self.others = others
    }

    static func key(_ file: TreeFile) -> String { file.blob.hex + " " + file.path }

    func incident(for file: TreeFile) -> Incident? {
        guard let line = line(of: file) else { return nil }
        return Self.record(Self.fields(String(decoding: bytes(line), as: UTF8.self)))?.1
    }

    /// Keeps `incident` as `file`'s record. Stored records are never looked up by `incident(for:)`
    /// in the same run (their files were just parsed); they are what `save` writes.
    mutating func store(_ incident: Incident, for file: TreeFile) {
        addedLines[file.path] = (file.blob, added.append(Data((Self.encode(key: Self.key(file), incident) + "\n").utf8)))
        changed = true
    }

    /// Writes the records of `files`, in their order (`AtomicFile`), when anything changed. The
    /// header names `newTree` only when every one of `files` has its record.
    func save(keeping files: [TreeFile], tree newTree: String?) {
        guard added.intact else { return }
        // A record is found for one file at most (its path), so the count tells whether any other is held.
        let kept = files.compactMap(record(of:))
        let complete = kept.count == files.count ? newTree : nil
        guard changed || complete != tree || kept.count != starts.count + others.count + addedLines.count else { return }
        // A cache that cannot be written is only slower next time; never an error.
        SpillBuffer.removeLeftovers(beside: path)
        var reader = added.reader()
        AtomicFile.write(to: path) { out in
            out.append(Self.header + "\n" + (complete ?? "-") + "\n")
            var checksum = LineChecksum()
            for record in kept {
                guard let line = record.added ? reader.bytes(record.line) : bytes(record.line) else {
                    out.fail()
                    return
                }
                line.withUnsafeBytes { checksum.add(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
                out.append(line)
            }
            out.append(checksum.trailer)
        }
    }

    /// Where `file`'s record is, its line break included: stored in this run, or read from the file.
    private func record(of file: TreeFile) -> (added: Bool, line: Range<Int>)? {
        if let record = addedLines[file.path], record.blob == file.blob { return (true, record.line) }
        return line(of: file).map { (false, $0.lowerBound..<$0.upperBound + 1) }
    }

    /// The bytes of `file`'s record in the file read, without its line break, when it holds one.
    private func line(of file: TreeFile) -> Range<Int>? {
        if let start = starts[file.blob], let line = line(at: start, of: file) { return line }
        return others[Self.key(file)].flatMap { line(at: $0, of: file) }
    }

    /// The line starting at `start`, when it is `file`'s record (its blob and path).
    private func line(at start: Int, of file: TreeFile) -> Range<Int>? {
        let key = Array(BackslashEscapes.encode(Self.key(file), BackslashEscapes.separators).utf8)
        return text.withUnsafeBytes { bytes -> Range<Int>? in
            guard let end = bytes[start...].firstIndex(of: 0x0A), end - start > key.count, bytes[start + key.count] == 0x09,
                bytes[start..<start + key.count].elementsEqual(key)
            else { return nil }
            return start..<end
        }
    }

    /// `text`'s bytes at offsets counted from its start.
    private func bytes(_ range: Range<Int>) -> Data { text[text.startIndex + range.lowerBound..<text.startIndex + range.upperBound] }

    // MARK: Format: one incident per line, tab-separated; lists joined by U+1E, a role and its
    // person by U+1F; `\N` for none (as PostgreSQL's COPY writes it). Every text is escaped
    // (`BackslashEscapes.separators`) before it is joined, so no text can hold a separator.

    private static func encode(key: String, _ incident: Incident) -> String {
        func text(_ value: String) -> String { BackslashEscapes.encode(value, BackslashEscapes.separators) }
        func optional(_ value: String?) -> String { value.map(text) ?? "\\N" }
        func list(_ values: [String]) -> String { values.map(text).joined(separator: "\u{1E}") }
        var fields = [
            text(key), text(incident.path), text(incident.id), text(incident.title), text(incident.severity),
            incident.status.rawValue, optional(incident.service), optional(incident.useCase), optional(incident.commander),
            incident.roles.map { text($0.role) + "\u{1F}" + text($0.person) }.joined(separator: "\u{1E}"),
            list(incident.tags), optional(incident.runbook), list(incident.alerts), optional(incident.source),
            optional(incident.oncall), optional(incident.rotation), optional(incident.channel),
        ]
        fields += clockPoints.map { point in incident.clock[point].map { String($0.timeIntervalSince1970) } ?? "" }
        return fields.joined(separator: "\t")
    }

    /// The incidents `keep` wants, straight from the cache file when it holds exactly the
    /// `incidents/` tree `tree`; nil otherwise. Streams the file: nothing but the kept incidents
    /// stays in memory, so a week's review of 100k incidents holds only that week's.
    static func incidents(gitDirectory: String, tree: String, where keep: (Incident) -> Bool) -> [Incident]? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: gitDirectory + "/ops/incidents.cache"), options: .alwaysMapped) else { return nil }
        return incidents(in: data, tree: tree, where: keep)
    }

    /// The same, from the cache file's bytes.
    static func incidents(in data: Data, tree: String, where keep: (Incident) -> Bool) -> [Incident]? {
        var kept: [Incident] = []
        let found = scan(data) { treeText in
            treeText == tree
        } each: { _, incident in
            if keep(incident) { kept.append(incident) }
        }
        return found == tree ? kept : nil
    }

    /// Reads the header, asks `wanted` whether to go on for the tree it names, then hands each
    /// record to `each`. Byte-level: this runs over every incident on every listing. Returns the
    /// tree id of the header when the whole file read and checked (nil for "-", a file that is
    /// not a cache, or a damaged one).
    private static func scan(_ data: Data, wanted: (String?) -> Bool, each: (String, Incident) -> Void) -> String? {
        var damaged = false
        let read = records(data, wanted: wanted) { buffer, start, end in
            var fields: [String] = []
            fields.reserveCapacity(fieldCount)
            var fieldStart = start
            for index in start...end where index == end || buffer[index] == 0x09 {
                // Escapes are undone in `record`, after lists are split on their separator.
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[fieldStart..<index]), as: UTF8.self))
                fieldStart = index + 1
            }
            if let (key, incident) = record(fields) { each(key, incident) } else { damaged = true }
        }
        return read.intact && !damaged ? read.tree : nil
    }

    /// Reads the header, asks `wanted` whether to go on for the tree it names, then hands the
    /// bounds of each record's line (without its line break) to `each`. Returns the tree id of
    /// the header (nil for "-" or a file that is not a cache), and whether the file is whole:
    /// its last line is the checksum of the records handed (`LineChecksum`).
    private static func records(
        _ data: Data, wanted: (String?) -> Bool, each: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void
    ) -> (tree: String?, intact: Bool) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (tree: String?, intact: Bool) in
            let buffer = raw.bindMemory(to: UInt8.self)
            let headerBytes = Array((header + "\n").utf8)
            guard buffer.count > headerBytes.count, buffer.starts(with: headerBytes),
                let treeEnd = buffer[headerBytes.count...].firstIndex(of: 0x0A)
            else { return (nil, false) }
            let treeText = String(decoding: UnsafeBufferPointer(rebasing: buffer[headerBytes.count..<treeEnd]), as: UTF8.self)
            let tree = treeText.count == 40 ? treeText : nil
            guard wanted(tree) else { return (tree, false) }
            // The checksum line ends the file; a record never starts with `end`, only with a blob id.
            return (tree, LineChecksum.checkLines(raw, from: treeEnd + 1) { each(buffer, $0, $1) })
        }
    }

    /// A record's fields, still escaped (`record` undoes escapes after lists are split).
    private static func fields(_ line: String) -> [String] {
        line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }

    private static func record(_ fields: [String]) -> (String, Incident)? {
        guard fields.count == fieldCount, let status = IncidentStatus(rawValue: fields[5]) else { return nil }
        func text(_ value: String) -> String { BackslashEscapes.decode(value, BackslashEscapes.separators) }
        func optional(_ value: String) -> String? { value == "\\N" ? nil : text(value) }
        func list(_ value: String) -> [String] { value.isEmpty ? [] : value.split(separator: "\u{1E}").map { text(String($0)) } }
        var clock: [ClockPoint: Date] = [:]
        for (offset, point) in clockPoints.enumerated() where !fields[17 + offset].isEmpty {
            // Seconds since 1970, as ops wrote them: anything else (nan, 1e400) makes the record unreadable.
            guard let seconds = Double(fields[17 + offset]), seconds.isFinite, abs(seconds) < 1e11 else { return nil }
            clock[point] = Date(timeIntervalSince1970: seconds)
        }
        let roles = fields[9].split(separator: "\u{1E}").compactMap { pair -> (role: String, person: String)? in
            let parts = pair.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            return parts.count == 2 ? (text(String(parts[0])), text(String(parts[1]))) : nil
        }
        return (
            text(fields[0]),
            Incident(
                id: text(fields[2]), title: text(fields[3]), severity: text(fields[4]), status: status, service: optional(fields[6]),
                useCase: optional(fields[7]), commander: optional(fields[8]), roles: roles,
                oncall: optional(fields[14]), rotation: optional(fields[15]), channel: optional(fields[16]), tags: list(fields[10]),
                runbook: optional(fields[11]), alerts: list(fields[12]), source: optional(fields[13]), clock: clock,
                timeline: [], path: text(fields[1]))
        )
    }
}
