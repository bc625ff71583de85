import Foundation
import GitStore
import Yams

/// An OpenSLO v1 `SLO` object, as `ops slo import --openslo` reads it.
struct OpenSLOObjective: Sendable, Equatable {
    var sloName: String
    var useCase: String
    var sli: String
    var objective: Decimal
    var window: SLOWindow
    var budgetingMethod: String?
    var target: String
    var goodQuery: String?
    var totalQuery: String?
}

extension SLOImporter {
    /// Each objective of each `kind: SLO` document becomes a catalog entry
    /// (`availability: {objective: 99.9%, window: rolling_30d, openslo: NAME}`), and the object as
    /// read is recorded in `slo/snapshots/objectives/NAME.yaml` with its provenance.
    @discardableResult
    public func importOpenSLO(
        _ input: SourceInput, useCase override: String? = nil, sli sliOverride: String? = nil,
        author: Author
    ) throws -> Summary {
        let config = try workspace.config()
        let catalogText = try workspace.readWorkTreeFile(SLOCatalog.path)
        let catalog = try catalogText.map { try SLOCatalog.load($0) }
        let known = Set(config.useCases + (catalog?.useCases.map(\.name) ?? []))
        var summary = Summary()
        let objectives = try OpenSLOReader.read(
            input, knownUseCases: known, useCase: override, sli: sliOverride,
            warnings: &summary.warnings)
        guard !objectives.isEmpty else {
            throw OpsError.file(input.name, line: 1, "holds no OpenSLO `kind: SLO` object", fix: "Import a file with apiVersion: openslo/v1 and kind: SLO")
        }
        summary.imported = objectives.map {
            "\($0.useCase) \($0.sli): objective \(SLONumber.percentText($0.objective)) over \($0.window) (OpenSLO \($0.sloName))"
        }
        let source = SnapshotSource(importer: "openslo/\(Self.version)", importedAt: workspace.clock(), files: [input.file], skippedSteps: nil)
        var written: [String] = []
        var unchanged: [String] = []
        let names = Array(Set(objectives.map(\.sloName))).sorted()
        let commit = try workspace.commit(
            action: "slo.import", subject: "slo import: OpenSLO \(names.joined(separator: ", ")) from \(input.name)",
            author: author
        ) { snapshot in
            written = []
            unchanged = []
            var changes: [FileChange] = []
            var text =
                try snapshot.read(SLOCatalog.path).map { try UTF8Text.decode($0, path: SLOCatalog.path) }
                ?? "# SLO catalog: see README, SLOs and error budgets.\nversion: 1\n"
            let before = text
            for objective in objectives {
                let current = try SLOCatalog.load(text).useCase(objective.useCase)?.indicator(objective.sli)
                if current?.target == .events(objective: objective.objective, window: objective.window), current?.openSLO == objective.sloName { continue }
                // Queries written in the catalog stay: they are what `ops slo pull` runs first.
                let queries = current?.queries.map { [("good_query", $0.good), ("total_query", $0.total)] } ?? []
                text = try SLOCatalog.setting(
                    indicator: objective.sli, of: objective.useCase,
                    to: [
                        ("objective", SLONumber.percentText(objective.objective)), ("window", objective.window.description),
                        ("openslo", objective.sloName),
                    ] + queries, in: text)
            }
            _ = try SLOCatalog.load(text)
            if text != before {
                changes.append(.write(SLOCatalog.path, text))
                written.append(SLOCatalog.path)
            }
            for name in names {
                let path = "\(SnapshotLayout.objectivesFolder)/\(name).yaml"
                if let existing = try snapshot.read(path), try UTF8Text.decode(existing, path: path).contains("sha256: \(input.sha256)") {
                    unchanged.append(path)
                    continue
                }
                changes.append(.write(path, OpenSLOReader.record(objectives.filter { $0.sloName == name }, source: source)))
                written.append(path)
            }
            return changes
        }
        summary.written = written
        summary.unchanged = unchanged
        summary.commit = commit?.hex
        return summary
    }
}

/// Reads OpenSLO v1 documents (one file may hold several, separated by `---`).
enum OpenSLOReader {
    static func read(
        _ input: SourceInput, knownUseCases: Set<String>, useCase override: String?, sli sliOverride: String?,
        warnings: inout [String]
    ) throws -> [OpenSLOObjective] {
        let file = input.name
        guard let text = String(data: input.data, encoding: .utf8) else {
            throw OpsError.file(file, line: nil, "is not UTF-8 text", fix: "Save it as UTF-8")
        }
        var documents: [Node] = []
        try YAMLNesting.check(text, path: file)
        do {
            // The sequence stops at a parse error and keeps it aside rather than throwing it:
            // without this check a broken file would read as one holding no documents.
            var sequence = try Yams.compose_all(yaml: text)
            while let document = sequence.next() { documents.append(document) }
            if let error = sequence.error { throw error }
        } catch let error as YamlError {
            throw YAMLText.describe(error, path: file, firstLine: 1)
        }
        func line(_ node: Node?) -> Int? { node?.mark?.line }
        func fail(_ node: Node?, _ problem: String, fix: String? = nil) -> OpsError { OpsError.file(file, line: line(node), problem, fix: fix) }
        func string(_ node: Node?, _ name: String, in parent: Node) throws -> String {
            guard let value = node?.scalarText, !value.isEmpty else { throw fail(node ?? parent, "`\(name)` is missing or not a single value") }
            return value
        }

        var result: [OpenSLOObjective] = []
        for document in documents {
            guard case .mapping(let root) = document else { throw fail(document, "an OpenSLO document is a mapping with apiVersion, kind, metadata and spec") }
            let apiVersion = try string(root["apiVersion"], "apiVersion", in: document)
            guard apiVersion == "openslo/v1" else {
                throw fail(root["apiVersion"], "apiVersion \(apiVersion) is not openslo/v1, the version ops reads", fix: "Convert it to openslo/v1")
            }
            let kind = try string(root["kind"], "kind", in: document)
            guard kind == "SLO" else {
                warnings.append("\(file):\(line(root["kind"]) ?? 1): skipped kind \(kind); only SLO objects become catalog entries")
                continue
            }
            guard let metadata = root["metadata"], case .mapping(let meta) = metadata else { throw fail(document, "`metadata` with a name is missing") }
            let name = try string(meta["name"], "metadata.name", in: metadata)
            guard name.count <= 63, name.first?.isLetter == true || name.first?.isNumber == true,
                name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
            else {
                throw fail(meta["name"], "metadata.name `\(name)` is not a DNS label (lowercase letters, digits, -)")
            }
            guard let specNode = root["spec"], case .mapping(let spec) = specNode else { throw fail(document, "`spec` is missing") }
            let service = spec["service"]?.scalarText
            guard let useCase = override ?? service else { throw fail(specNode, "spec.service is missing; pass --use-case") }
            guard knownUseCases.contains(useCase) else {
                throw fail(
                    spec["service"] ?? specNode, "unknown use case `\(useCase)`",
                    fix: "Known: \(knownUseCases.sorted().joined(separator: ", ")). Add it to ops.yaml's use_cases, or pass --use-case")
            }
            let window = try readWindow(spec["timeWindow"], parent: specNode, fail: fail)
            let method = spec["budgetingMethod"]?.scalarText
            if let method, method != "Occurrences" {
                warnings.append(
                    "\(file):\(line(spec["budgetingMethod"]) ?? 1): budgetingMethod \(method): ops counts budgets by occurrences (good and total events)")
            }
            let queries = ratioQueries(spec["indicator"])
            guard let objectivesNode = spec["objectives"], case .sequence(let objectives) = objectivesNode, !objectives.isEmpty else {
                throw fail(specNode, "spec.objectives is missing or empty")
            }
            if sliOverride != nil && objectives.count > 1 {
                throw fail(objectivesNode, "\(objectives.count) objectives, so --sli cannot name them all", fix: "Give each a displayName, and leave out --sli")
            }
            for objectiveNode in objectives {
                guard case .mapping(let objective) = objectiveNode else { throw fail(objectiveNode, "an objective is a mapping with target") }
                let (value, written) = try readTarget(objective, node: objectiveNode, name: name, file: file, fail: fail, warnings: &warnings)
                let label = objective["displayName"]?.scalarText ?? objective["name"]?.scalarText
                let sli = sliOverride ?? label.map(snakeCase) ?? snakeCase(strip(name, prefix: useCase))
                guard !sli.isEmpty, OpsConfigChecks.isName(sli) else {
                    throw fail(objectiveNode, "cannot name an SLI after `\(label ?? name)`", fix: "Pass --sli")
                }
                if result.contains(where: { $0.useCase == useCase && $0.sli == sli }) {
                    throw fail(objectiveNode, "two objectives of \(useCase) are both named \(sli)", fix: "Give them different displayNames")
                }
                result.append(
                    OpenSLOObjective(
                        sloName: name, useCase: useCase, sli: sli, objective: value, window: window,
                        budgetingMethod: method, target: written, goodQuery: queries.good, totalQuery: queries.total))
            }
        }
        return result
    }

    /// `target: 0.999`, or a percent (`target: 99.9`, normalised with a warning), or `targetPercent: 99.9`.
    private static func readTarget(
        _ objective: Node.Mapping, node: Node, name: String, file: String,
        fail: (Node?, String, String?) -> OpsError, warnings: inout [String]
    ) throws -> (Decimal, String) {
        if let text = objective["targetPercent"]?.scalarText {
            guard let percent = SLONumber.decimal(text), percent > 0, percent < 100 else {
                throw fail(objective["targetPercent"], "targetPercent \(text) is not between 0 and 100", nil)
            }
            return (percent / 100, text)
        }
        guard let text = objective["target"]?.scalarText else { throw fail(node, "the objective has no target", "Add target: 0.999") }
        guard let target = SLONumber.decimal(text), target > 0, target < 100, target != 1 else {
            throw fail(objective["target"], "target \(text) is not a ratio between 0 and 1", "Write it like target: 0.999")
        }
        if target > 1 {
            warnings.append(
                "\(file):\(objective["target"]?.mark?.line ?? 1): target \(text) of \(name) looks like a percent; read as \(target / 100). OpenSLO targets are ratios: write target: \(target / 100)"
            )
            return (target / 100, text)
        }
        return (target, text)
    }

    private static func readWindow(_ node: Node?, parent: Node, fail: (Node?, String, String?) -> OpsError) throws -> SLOWindow {
        guard let node, case .sequence(let windows) = node, let first = windows.first, case .mapping(let window) = first else {
            throw fail(node ?? parent, "spec.timeWindow is missing: give - duration: 30d with isRolling: true", nil)
        }
        guard let duration = window["duration"]?.scalarText else { throw fail(first, "timeWindow has no duration", nil) }
        let rolling = window["isRolling"]?.scalarText?.lowercased() == "true"
        // At most a year, as a policy's rolling_Nd: the bound also keeps `number * 7` in range.
        let number = Int(duration.dropLast()).flatMap { (1...366).contains($0) ? $0 : nil } ?? 0
        switch (rolling, duration.last) {
        case (true, "d") where number > 0: return .rolling(days: number)
        case (true, "w") where number > 0 && number * 7 <= 366: return .rolling(days: number * 7)
        case (false, "M") where number == 1: return .calendarMonth
        case (false, "w") where number == 1: return .isoWeek
        case (false, "d") where number == 7: return .isoWeek
        default:
            throw fail(
                window["duration"], "timeWindow \(duration) (\(rolling ? "rolling" : "calendar")) is not one ops counts budgets over",
                "Use a rolling window of whole days up to a year (30d, 4w), or a calendar 1M or 1w")
        }
    }

    /// The good and total queries of a ratio indicator, when inline.
    private static func ratioQueries(_ indicator: Node?) -> (good: String?, total: String?) {
        let ratio = indicator?["spec"]?["ratioMetric"]
        func query(_ side: String) -> String? { ratio?[side]?["metricSource"]?["spec"]?["query"]?.scalarText }
        return (query("good"), query("total"))
    }

    /// The record of what was read, with provenance: `slo/snapshots/objectives/NAME.yaml`.
    static func record(_ objectives: [OpenSLOObjective], source: SnapshotSource) -> String {
        let first = objectives[0]
        var lines = [
            "# OpenSLO SLO \(first.sloName), as `ops slo import --openslo` read it; its objectives are entries",
            "# of slo/catalog.yaml (openslo: \(first.sloName)).",
            "name: \(first.sloName)",
            "use_case: \(SnapshotText.scalar(first.useCase))",
            "window: \(first.window)",
        ]
        if let method = first.budgetingMethod { lines.append("budgeting_method: \(SnapshotText.scalar(method))") }
        lines.append("objectives:")
        for objective in objectives {
            lines.append(
                "  - {sli: \(SnapshotText.scalar(objective.sli)), objective: \(SLONumber.percentText(objective.objective)), target: \(SnapshotText.scalar(objective.target))}"
            )
        }
        if let good = first.goodQuery { lines.append("good_query: \(SnapshotText.scalar(good))") }
        if let total = first.totalQuery { lines.append("total_query: \(SnapshotText.scalar(total))") }
        lines += SnapshotText.sources([source])
        return lines.joined(separator: "\n") + "\n"
    }

    static func snakeCase(_ text: String) -> String {
        var result = ""
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(character)
            } else if !result.isEmpty && !result.hasSuffix("_") {
                result.append("_")
            }
        }
        while result.hasSuffix("_") { result.removeLast() }
        return result
    }

    /// `ops-copilot-availability` without its use case: `availability`.
    private static func strip(_ name: String, prefix useCase: String) -> String {
        let dashed = useCase.replacingOccurrences(of: "_", with: "-") + "-"
        return name.hasPrefix(dashed) ? String(name.dropFirst(dashed.count)) : name
    }
}
