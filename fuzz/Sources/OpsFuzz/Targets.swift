import Foundation
import Yams

@testable import GitStore
@testable import OpsKit

/// What each target does with one input. A thrown error is the expected answer to bad input;
/// a trap, a crash or a failed `require` is a bug. Where a format has a property worth more
/// than "does not crash" (a load and save gives the same bytes, an edit changes only its own
/// lines), the target checks it.
enum Targets {
    static let path = "fuzz-input"

    // MARK: Fixtures every run reads

    /// The starter files ops init writes, read from the sources so the targets check inputs
    /// against the same ops.yaml and catalog a new repository has.
    private static func starter(_ name: String) -> String {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = folder.appendingPathComponent("Sources/OpsKit/Starter/\(name)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { fatalError("fuzz: cannot read \(url.path)") }
        return text
    }

    nonisolated(unsafe) static let opsConfig: OpsConfig = try! OpsConfig.load(starter("ops.example.yaml"))
    nonisolated(unsafe) static let sloCatalog: SLOCatalog = try! SLOCatalog.load(starter("slo-catalog.example.yaml"))
    static let now = Timestamp.parse("2026-11-22T18:00:00Z")!

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    // MARK: Git's index

    /// `.git/index` is anyone's to write, and ops reads it with its own parser on every commit:
    /// parsing it and rewriting it for a commit (the first path gone, a new incident added) stay
    /// within its bytes, and what ops writes parses again.
    static func gitIndex(_ data: Data) {
        guard let file = IndexFile(bytes: [UInt8](data), modified: timespec()) else { return }
        let first = file.entries.first.map { String(decoding: file.bytes[$0.path], as: UTF8.self) }
        let added = IndexFile.NewEntry(
            path: "incidents/2026/12/INC-20261206-AB12CD34/incident.md", blob: [UInt8](repeating: 7, count: 20), stat: stat(),
            executable: false)
        let rewritten = file.updated(removing: first.map { [$0] } ?? [], adding: [added])
        require(IndexFile(bytes: rewritten, modified: timespec()) != nil, "the index ops rewrote does not parse")
    }

    /// `.git/ops/incidents.cache` as found on disk: a damaged file is read as missing, never
    /// half-trusted. Whatever the bytes, what the streaming reader returns for the tree named in
    /// the header is every record or nothing, and a file that checks out holds as many records
    /// as its checksum line says.
    static func incidentCache(_ data: Data) {
        let cache = IncidentCache(path: "/nonexistent/incidents.cache", data: data)
        _ = cache.incident(for: TreeFile(path: "incidents/2026/12/INC-20261206-AB12CD34/incident.md", blob: ObjectID(hex: String(repeating: "a", count: 40))!))
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count > 1, let tree = String(data: Data(lines[1]), encoding: .utf8) else { return }
        if let incidents = IncidentCache.incidents(in: data, tree: tree, where: { _ in true }) {
            let body = LineChecksum.checked(data.dropFirst(lines[0].count + lines[1].count + 2))
            require(body != nil, "a cache whose checksum line does not hold was read")
            require(incidents.count == body!.split(separator: 0x0A).count, "a cache that read lost or gained a record")
        }
    }

    // MARK: SLO and alert inputs

    static func alertmanager(_ data: Data) {
        guard let payload = try? AlertmanagerPayload.decode(data, source: path) else { return }
        for alert in payload.alerts {
            _ = alert.startedAt
            _ = alert.endedAt
            _ = alert.name
        }
    }

    /// One query_range response, paired with itself on its own step and on a few given ones
    /// (`--step` is fuzzed through its parser in `time`).
    static func prometheus(_ data: Data) {
        guard let range = try? PrometheusRange.parse(data, file: path) else { return }
        for sample in range.samples { _ = range.place(sample.millis) }
        for step in [nil, 1, 3600, PrometheusPairing.maxStepSeconds] as [Int64?] {
            for marksStart in [true, false] {
                _ = try? PrometheusPairing.pair(good: range, total: range, stepSeconds: step, marksStart: marksStart)
            }
        }
    }

    /// Either CSV shape: the header says which, as in `ops slo import --csv`.
    static func csv(_ data: Data) {
        guard let table = try? SLOCSV.read(data, file: path) else { return }
        switch table.shape {
        case .events: _ = try? SLOCSV.events(table, file: path, catalog: sloCatalog)
        case .signals: _ = try? SLOCSV.signals(table, file: path, catalog: sloCatalog)
        }
    }

    static func openSLO(_ data: Data) {
        var warnings: [String] = []
        let input = SourceInput(name: path, data: data)
        guard
            let objectives = try? OpenSLOReader.read(
                input, knownUseCases: Set(opsConfig.useCases), useCase: nil, sli: nil,
                warnings: &warnings)
        else { return }
        let period = DateInterval(start: now.addingTimeInterval(-86_400 * 30), end: now)
        for objective in objectives {
            _ = objective.window.interval(endingAt: now, zone: opsConfig.timeZone)
            _ = objective.window.nominalSeconds
            _ = period
        }
        // One record per SLO, as importOpenSLO writes them.
        let source = SnapshotSource(importer: "fuzz", importedAt: now, files: [input.file], skippedSteps: nil)
        for name in Set(objectives.map(\.sloName)) {
            _ = OpenSLOReader.record(objectives.filter { $0.sloName == name }, source: source)
        }
    }

    static func policy(_ data: Data) {
        let text = text(data)
        _ = ErrorBudgetPolicy.problems(in: text, path: path, config: opsConfig)
        guard let policy = try? ErrorBudgetPolicy.load(text, path: path) else { return }
        let period = policy.window.period(endingAt: now, zone: opsConfig.timeZone)
        _ = policy.budgetRatio(over: period)
        for consumed: Decimal in [0, 0.5, 1, 2, 1_000_000] { _ = policy.alerts(reachedAt: consumed) }
    }

    static func config(_ data: Data) {
        let text = text(data)
        _ = OpsConfig.problems(in: text)
        _ = try? OpsConfig.load(text)
    }

    static func catalog(_ data: Data) {
        let text = text(data)
        _ = SLOCatalog.problems(in: text, config: opsConfig)
        _ = try? SLOCatalog.load(text)
    }

    static func checks(_ data: Data) {
        let text = text(data)
        _ = ChecksConfig.problems(in: text, config: opsConfig)
        guard let config = try? ChecksConfig.load(text, config: opsConfig) else { return }
        for useCase in config.useCases { _ = config.thresholds(of: useCase.name) }
    }

    /// A dataset file as `ops checks run` and `ops checks compare` read it: every column as numbers
    /// and as categories, the contract rules on it, and the drift tests of a column against itself
    /// (which must find no drift).
    static func dataset(_ data: Data, file: String) {
        guard let table = try? DatasetTable.read(file: file, data: data) else { return }
        for column in table.columns.prefix(4) {
            _ = try? table.texts(column)
            for rule in [
                ContractRule(.notNull, columns: [column]), ContractRule(.unique, columns: [column]), ContractRule(.compare(.atLeast, 0), columns: [column]),
            ] {
                _ = try? rule.violations(in: table)
            }
            guard let numbers = try? table.numbers(column).values, DriftStatistics.tooFew(.psi, reference: numbers, current: numbers) == nil else { continue }
            let psi = DriftStatistics.psi(reference: numbers, current: numbers)
            require(psi.psi == 0, "PSI of a column against itself is \(psi.psi)")
            // The exact KS p-value is quadratic in the sample: small columns keep a run fast.
            guard numbers.count <= 2_000 else { continue }
            let ks = DriftStatistics.ks(numbers, numbers)
            require(ks.statistic == 0, "KS D of a column against itself is \(ks.statistic)")
        }
    }

    // MARK: Documents

    /// Loading and saving without a change gives the bytes that were read (docs/DESIGN.md §3), and an
    /// incident reads from whatever a hand edit left.
    static func frontMatter(_ data: Data) {
        let text = text(data)
        flatFrontMatter(text)
        guard let document = try? MarkdownDocument(text, path: path) else { return }
        require(document.text == text, "a load and save changed the bytes")
        if let yaml = document.frontMatter {
            for key in yaml.keys { require(yaml.rawText(of: key) != nil, "key \(key) has no lines") }
        }
        _ = Timeline.parse(body: document.body, firstLine: document.bodyLine)
        _ = try? IncidentDocument(document)
        _ = try? Incident(document, timeline: true)
    }

    /// What the caches' fast read (`FlatFrontMatter`) takes, the YAML parse reads to the same
    /// values on the same lines, and the incident read from it is the same, or fails the same way.
    private static func flatFrontMatter(_ text: String) {
        guard let (values, lines) = FlatFrontMatter.read(text) else { return }
        let yaml = try? MarkdownDocument(text, path: path).frontMatter
        require(yaml != nil, "the fast read took front matter the YAML parse refuses")
        guard let yaml else { return }
        require(Set(values.keys) == Set(yaml.keys), "the fast read found other keys")
        for key in yaml.keys {
            require(values[key] == yaml.value(of: key), "the fast read of \(key) differs")
            require(lines[key] == yaml.line(of: key), "the fast read puts \(key) on another line")
        }
        let fast = Result { try Incident(summaryOf: text, path: path) }
        let full = Result { () throws -> Incident in
            var incident = try Incident(MarkdownDocument(text, path: path))
            incident.timeline = []
            return incident
        }
        switch (fast, full) {
        case (.success(let a), .success(let b)): require(a == b, "the fast read gives another incident")
        case (.failure(let a), .failure(let b)): require("\(a)" == "\(b)", "the fast read fails differently: \(a) / \(b)")
        default: require(false, "the fast read and the parse disagree on whether the incident reads")
        }
    }

    /// The YAML line editor. The input is YAML text, a NUL byte, an operation byte and a value.
    /// An edit must re-read as the edit, and change no line but the edited key's own.
    static func yamlEdit(_ data: Data) {
        let bytes = [UInt8](data)
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let source = String(decoding: bytes[..<split], as: UTF8.self)
        let operation = split + 1 < bytes.count ? bytes[split + 1] : 0
        let value = split + 2 < bytes.count ? String(decoding: bytes[(split + 2)...], as: UTF8.self) : ""
        guard let before = try? YAMLText(source, path: path) else { return }
        let keys = before.keys
        let key: String
        let newValue: Node?
        switch operation % 4 {
        case 0 where !keys.isEmpty:  // change a value
            key = keys[Int(operation / 4) % keys.count]
            newValue = Node.text(value)
        case 1 where !keys.isEmpty:  // remove a key
            key = keys[Int(operation / 4) % keys.count]
            newValue = nil
        case 2 where !keys.isEmpty:  // a list
            key = keys[Int(operation / 4) % keys.count]
            newValue = Node.list(value.split(separator: ",").map(String.init))
        default:  // a new key
            key = "fuzz_key"
            guard before[key] == nil else { return }
            newValue = Node.text(value)
        }
        var after = before
        do {
            try after.set(key, newValue, order: keys)
        } catch {
            require(false, "setting \(key) failed on a file that read: \(error)")
        }
        let reread: YAMLText
        do {
            reread = try YAMLText(after.text, path: path)
        } catch {
            require(false, "the edited file does not read: \(error)\n--- edited:\n\(after.text)")
            return
        }
        if let newValue {
            require(
                reread[key].map { YAMLText.sameValue($0, newValue) } ?? false,
                "\(key) reads back as \(String(describing: reread[key])), not \(newValue)")
        } else {
            require(reread[key] == nil, "\(key) is still there after removing it")
        }
        for other in keys where other != key {
            // The one change allowed: a last line without a line break gets one when a key goes after it.
            let old = before.rawText(of: other) ?? "", new = reread.rawText(of: other) ?? ""
            let broken = old.unicodeScalars.last.map { !CharacterSet.newlines.contains($0) } ?? false
            require(
                new == old || (broken && new.hasPrefix(old) && ["\n", "\r\n", "\r"].contains(String(new.unicodeScalars.dropFirst(old.unicodeScalars.count)))),
                "editing \(key) changed the lines of \(other)\n--- before:\n\(before.text)\n--- after:\n\(reread.text)")
        }
        // Every line outside the edited key's own stays: the change is one contiguous run of lines.
        let old = before.lines.map(\.text), new = reread.lines.map(\.text)
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        let removed = before.rawText(of: key).map { YAMLText.split($0).count } ?? 0
        let added = reread.rawText(of: key).map { YAMLText.split($0).count } ?? 0
        require(
            old.count - prefix - suffix <= removed && new.count - prefix - suffix <= added,
            "editing \(key) changed lines outside its own\n--- before:\n\(before.text)\n--- after:\n\(reread.text)")
    }

    /// The timeline: what parses keeps parsing, and an appended entry reads back as the last one.
    static func timeline(_ data: Data) {
        let body = text(data)
        let (entries, _) = Timeline.parse(body: body, firstLine: 1)
        for entry in entries { _ = entry.markdown }
        let note = String(body.prefix(80).filter { !$0.isNewline })
        let entry = TimelineEntry(at: now, actor: "fuzz", kind: "note", text: note)
        let appended = Timeline.append(entry, to: body)
        let (after, _) = Timeline.parse(body: appended, firstLine: 1)
        require(
            after.count == entries.count + 1 && after.last == entry,
            "an appended entry does not read back as the last one\n--- body:\n\(appended)")
    }

    // MARK: Importers

    /// One export file through a tool's reader and onto ops.yaml, as `ops import` does before
    /// it plans the files.
    static func importer(_ tool: ImportTool, _ data: Data) {
        let mapper = ImportMapper(config: opsConfig, tool: tool)
        var reader = tool.reader(options: IncidentImport.Options(), mapper: mapper)
        var report = ImportReport()
        let name = tool == .dispatch && data.first != UInt8(ascii: "{") ? "fuzz.sql" : "fuzz.json"
        guard (try? reader.read(ImportFile(name: name, data: data), report: &report)) != nil,
            let incidents = try? reader.incidents(report: &report)
        else { return }
        for incident in IncidentImport.newestCopies(incidents, report: &report) {
            _ = mapper.target(incident, report: &report)
        }
    }

    // MARK: Time and numbers as people type them

    static func time(_ data: Data) {
        let text = text(data)
        for zone in [TimeZone(identifier: "UTC")!, TimeZone(identifier: "Pacific/Kiritimati")!] {
            _ = try? TimeInput.parse(text, now: now, zone: zone)
            _ = try? TimeInput.parse(text, now: now, zone: zone, allowFuture: true)
            _ = TimeInput.day(text, zone: zone)
        }
        _ = TimeInput.durationSeconds(text)
        _ = Timestamp.parse(text)
        _ = try? PrometheusPairing.stepSeconds(text)
        _ = SLOWindow(text)
        if let number = SLONumber.decimal(text) {
            _ = SLONumber.count(number)
            _ = SLONumber.percentText(number)
            _ = SLONumber.percent(SLONumber.double(number))
            _ = DurationFormat.short(SLONumber.double(number))
        }
        _ = SLONumber.ratio(text)
        _ = SLONumber.duration(text)
        _ = DocumentID.normalizeRandom(text)
    }
}
