public import Foundation
import Yams

/// `checks.yaml`: the drift and data-quality checks `ops checks run` computes, per use case:
/// the datasets (a CSV or JSON-lines file in the repository, or a PostgreSQL table or query),
/// their features, the reference each is compared with, the tests with their levels, and the
/// owner. Configuration, like ops.yaml: read from the work tree, checked by `ops lint`.
public struct ChecksConfig: Sendable, ConfigFile {
    typealias Reader = ChecksReader

    public static let path = "checks.yaml"
    static let knownKeys = ["version", "use_cases"]

    public var useCases: [UseCaseChecks]

    public struct UseCaseChecks: Sendable {
        public var name: String
        /// The ops.yaml person who answers for these checks.
        public var owner: String?
        public var datasets: [Dataset]
    }

    /// Where rows come from.
    public enum Source: Sendable, Equatable {
        /// A CSV or JSON-lines file, by its path in the repository.
        case file(String)
        /// A PostgreSQL table (`payments`, `public.payments`) or a query, through the connection URL
        /// in the environment variable `variable`.
        case postgres(variable: String, table: String?, query: String?)
    }

    /// What the current rows are compared with.
    public enum Reference: Sendable, Equatable {
        /// Other rows: a file, or a table or query on the dataset's own server.
        case source(Source)
        /// The same dataset, `weeks` weeks before the run's week (by `time_column`).
        case weeksBefore(Int)
        /// The same dataset, over a fixed time range (by `time_column`).
        case range(DateInterval)
    }

    public enum FeatureKind: String, Sendable, CaseIterable {
        case continuous, categorical
    }

    public struct Dataset: Sendable {
        public var name: String
        public var source: Source
        /// The time of each row: the run's week takes the rows of that week, and a reference by
        /// weeks or range is taken by it. Without one, the whole source is the current rows.
        public var timeColumn: String?
        public var reference: Reference?
        public var features: [(name: String, kind: FeatureKind)]
        public var checks: [Check]
        public var line: Int?

        public func kind(of feature: String) -> FeatureKind? { features.first { $0.name == feature }?.kind }
    }

    /// One test of a check, the metric it records, and which side of its levels is a breach.
    public enum Test: String, Sendable, CaseIterable {
        case psi, ks, topk
        case meanDrop = "mean_drop"
        case freshness, completeness
        case notNull = "not_null"
        case unique, valid

        /// The metric its readings carry in the signal snapshots.
        public var metric: String {
            switch self {
            case .psi: return "psi"
            case .ks: return "ks_pvalue"
            case .topk: return "topk_shift"
            case .meanDrop: return "mean_drop"
            case .freshness: return "data_freshness_minutes"
            case .completeness: return "completeness"
            case .notNull: return "null_rows"
            case .unique: return "duplicate_rows"
            case .valid: return "invalid_rows"
            }
        }

        public var unit: String {
            switch self {
            case .psi: return "index"
            case .ks: return "p"
            case .topk, .completeness: return "ratio"
            case .meanDrop: return "score"
            case .freshness: return "min"
            case .notNull, .unique, .valid: return "count"
            }
        }

        /// How a value breaches a level: a p-value and completeness breach below theirs, every
        /// other reading at or above (freshness: above).
        public var comparison: SLOCatalog.Comparison {
            switch self {
            case .ks, .completeness: return .below
            case .freshness: return .above
            default: return .atLeast
            }
        }

        public var area: SignalArea {
            switch self {
            case .psi, .ks, .topk, .meanDrop: return .drift
            default: return .dataQuality
            }
        }

        /// The seed's levels, used when a check names none: PSI alert 0.2 and page 0.3, KS
        /// p < 0.05 alert, top-k shift ≥ 10 % review, a mean drop ≥ 0.3 page, freshness over
        /// 20 minutes page, completeness under 99.5 % ticket, any violating row a ticket.
        public var defaultLevels: [Level] {
            switch self {
            case .psi: return [Level(name: "alert", value: Decimal(string: "0.2")!), Level(name: "page", value: Decimal(string: "0.3")!)]
            case .ks: return [Level(name: "alert", value: Decimal(string: "0.05")!)]
            case .topk: return [Level(name: "review", value: Decimal(string: "0.1")!)]
            case .meanDrop: return [Level(name: "page", value: Decimal(string: "0.3")!)]
            case .freshness: return [Level(name: "page", value: 20)]
            case .completeness: return [Level(name: "ticket", value: Decimal(string: "0.995")!)]
            case .notNull, .unique, .valid: return [Level(name: "ticket", value: 1)]
            }
        }

        /// The drift tests read a feature; the others read the dataset or a column of it.
        var isDrift: Bool { area == .drift }
    }

    /// A level and the value that reaches it, on the test's side (`page: 0.3`).
    public struct Level: Sendable, Equatable {
        public static let names = ["alert", "page", "ticket", "review"]
        public var name: String
        public var value: Decimal
    }

    public struct Check: Sendable {
        public var test: Test
        /// The feature a drift test reads.
        public var feature: String?
        /// The column freshness reads, or a not-null or unique rule's column.
        public var column: String?
        /// The rule of not_null, unique and valid.
        public var rule: ContractRule?
        /// Top-k's k (10 unless set).
        public var k: Int
        /// Completeness: the rows a full week (or the whole source) has.
        public var expectedRows: Int?
        /// Least strict first.
        public var levels: [Level]
        public var line: Int?

        /// What the check is about, as its readings name it: `transactions.amount_usd`,
        /// `transactions`, `transactions: amount_usd >= 0`.
        public func subject(in dataset: Dataset) -> String {
            if let feature { return "\(dataset.name).\(feature)" }
            if let rule { return "\(dataset.name): \(rule.description)" }
            return dataset.name
        }

        /// The catalog thresholds its readings are judged by in `ops signals status`.
        func thresholds(subject: String) -> [SLOCatalog.SignalThreshold] {
            levels.map { level in
                SLOCatalog.SignalThreshold(
                    metric: test.metric, condition: .bound(SLOCatalog.Bound(test.comparison, level.value)), level: level.name, line: line,
                    subject: subject)
            }
        }
    }

    public func useCase(_ name: String) -> UseCaseChecks? { useCases.first { $0.name == name } }

    /// The thresholds of every check of `useCase`, keyed by their readings' subjects.
    public func thresholds(of useCase: String) -> [SLOCatalog.SignalThreshold] {
        guard let checks = self.useCase(useCase) else { return [] }
        return checks.datasets.flatMap { dataset in dataset.checks.flatMap { $0.thresholds(subject: $0.subject(in: dataset)) } }
    }

    // MARK: Loading

    /// The work tree's checks.yaml, or an error saying how to get one.
    public static func load(from workspace: Workspace) throws -> ChecksConfig {
        guard let text = try workspace.readWorkTreeFile(path) else {
            throw OpsError.input(
                "\(path) is missing: it says which datasets to check and how. Run `ops init --example` in a scratch folder and copy its \(path), or write one (README, Drift and data-quality checks)"
            )
        }
        return try load(text, config: try? workspace.config())
    }
}

/// Reads checks.yaml field by field, collecting every problem with its line.
struct ChecksReader: ConfigFileReader {
    var fields: YAMLFieldReader
    let config: OpsConfig?

    static let useCaseKeys = ["owner", "datasets"]
    static let datasetKeys = ["file", "postgres", "time_column", "reference", "features", "checks"]
    static let postgresKeys = ["url_env", "table", "query"]
    static let checkKeys = ["test", "feature", "column", "rule", "k", "expected_rows"] + ChecksConfig.Level.names

    init(_ fields: YAMLFieldReader, config: OpsConfig?) {
        self.fields = fields
        self.config = config
    }

    mutating func read() -> ChecksConfig {
        fields.flagUnknownKeys(ChecksConfig.knownKeys, what: ChecksConfig.path)
        if let version = fields.yaml["version"], version.scalarText != "1" {
            fields.flag(version, "version must be 1, the checks format this ops reads")
        }
        var useCases: [ChecksConfig.UseCaseChecks] = []
        for entry in fields.entries(fields.yaml["use_cases"], "use_cases") {
            let name = entry.key
            if let config, !config.useCases.isEmpty, !config.useCases.contains(name) {
                fields.flag(entry.keyNode, "use case `\(name)` is not in ops.yaml's use_cases (\(config.useCases.joined(separator: ", ")))")
            }
            guard let map = fields.mapping(entry.value, shape: "use case \(name) is {owner: ..., datasets: {...}}") else { continue }
            flagUnknown(map, Self.useCaseKeys, what: "use case \(name)")
            let owner = fields.text(map["owner"], "owner")
            if let owner, let config, !config.people.isEmpty, config.person(owner) == nil {
                fields.flag(map["owner"], "owner `\(owner)` is not a person in ops.yaml")
            }
            var datasets: [ChecksConfig.Dataset] = []
            for dataset in fields.entries(map["datasets"], "datasets") {
                if let read = readDataset(dataset.key, dataset.keyNode, dataset.value) { datasets.append(read) }
            }
            if datasets.isEmpty { fields.flag(entry.keyNode, "use case \(name) has no datasets") }
            useCases.append(ChecksConfig.UseCaseChecks(name: name, owner: owner, datasets: datasets))
        }
        if useCases.isEmpty, fields.problems.isEmpty {
            fields.flag(key: "use_cases", "`use_cases` lists no use case. See README, Drift and data-quality checks")
        }
        return ChecksConfig(useCases: useCases)
    }

    private mutating func flagUnknown(_ map: Node.Mapping, _ known: [String], what: String) {
        for (key, _) in map {
            guard let name = key.string, !known.contains(name) else { continue }
            fields.flag(key, "unknown key `\(name)` in \(what). Known keys: \(known.joined(separator: ", "))")
        }
    }

    // MARK: Datasets

    private mutating func readDataset(_ name: String, _ keyNode: Node, _ value: Node) -> ChecksConfig.Dataset? {
        guard SLOCatalog.isName(name) else {
            fields.flag(keyNode, "dataset name `\(name)` must be letters, digits, dash or underscore")
            return nil
        }
        guard let map = fields.mapping(value, shape: "dataset \(name) is {file: data/x.csv, features: {...}, checks: [...]}") else { return nil }
        flagUnknown(map, Self.datasetKeys, what: "dataset \(name)")
        guard let source = readSource(map, parent: keyNode, what: "dataset \(name)", variable: nil) else { return nil }
        let timeColumn = fields.text(map["time_column"], "time_column")
        var reference: ChecksConfig.Reference?
        if let node = map["reference"] { reference = readReference(node, dataset: name, source: source, timeColumn: timeColumn) }

        var features: [(String, ChecksConfig.FeatureKind)] = []
        for feature in fields.entries(map["features"], "features") {
            guard let text = fields.text(feature.value, feature.key), let kind = ChecksConfig.FeatureKind(rawValue: text) else {
                fields.flag(feature.value, "feature \(feature.key) is `continuous` or `categorical`")
                continue
            }
            features.append((feature.key, kind))
        }
        var dataset = ChecksConfig.Dataset(
            name: name, source: source, timeColumn: timeColumn, reference: reference, features: features, checks: [], line: fields.line(keyNode))
        guard let list = map["checks"] else {
            fields.flag(keyNode, "dataset \(name) has no `checks`. Add one: checks: [{test: psi, feature: amount_usd}]")
            return dataset
        }
        for item in fields.items(list, "checks") {
            if let check = readCheck(item, dataset: dataset) { dataset.checks.append(check) }
        }
        return dataset
    }

    /// `file: path` or `postgres: {url_env: VAR, table: t}` / `{url_env: VAR, query: "select ..."}`.
    /// `variable` is the dataset's own, which a reference on the same server may leave out.
    private mutating func readSource(_ map: Node.Mapping, parent: Node, what: String, variable: String?) -> ChecksConfig.Source? {
        let file = fields.text(map["file"], "file")
        let postgres = map["postgres"]
        switch (file, postgres) {
        case (let file?, nil):
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains(".."), !file.hasPrefix(".git/") else {
                fields.flag(map["file"], "file `\(file)` must be a path inside the repository, like data/payments.csv")
                return nil
            }
            let lower = file.lowercased()
            guard [".csv", ".jsonl", ".ndjson"].contains(where: lower.hasSuffix) else {
                fields.flag(map["file"], "file `\(file)` must be a .csv, .jsonl or .ndjson file")
                return nil
            }
            return .file(file)
        case (nil, let node?):
            guard let pg = fields.mapping(node, shape: "postgres is {url_env: PAYMENTS_DB_URL, table: payments} or {url_env: ..., query: \"select ...\"}")
            else {
                return nil
            }
            flagUnknown(pg, Self.postgresKeys, what: "postgres of \(what)")
            let url = fields.text(pg["url_env"], "url_env") ?? variable
            guard let url else {
                fields.flag(node, "postgres needs `url_env`: the environment variable that holds the connection URL")
                return nil
            }
            guard url.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), url.first?.isNumber == false else {
                fields.flag(pg["url_env"], "url_env `\(url)` must be an environment variable's name, like PAYMENTS_DB_URL (never the URL itself)")
                return nil
            }
            let table = fields.text(pg["table"], "table"), query = fields.text(pg["query"], "query")
            guard (table == nil) != (query == nil) else {
                fields.flag(node, "postgres needs one of `table` or `query`")
                return nil
            }
            return .postgres(variable: url, table: table, query: query)
        case (nil, nil):
            fields.flag(parent, "\(what) needs `file: data/x.csv` or `postgres: {url_env: ..., table: ...}`")
            return nil
        case (_?, _?):
            fields.flag(parent, "\(what) has both `file` and `postgres`; keep one")
            return nil
        }
    }

    private mutating func readReference(_ node: Node, dataset: String, source: ChecksConfig.Source, timeColumn: String?) -> ChecksConfig.Reference? {
        let shape = "reference is {file: ...}, {postgres: {table: ...}}, {weeks_before: 1} or {from: 2026-11-02, until: 2026-11-09}"
        guard let map = fields.mapping(node, shape: shape) else { return nil }
        flagUnknown(map, ["file", "postgres", "weeks_before", "from", "until"], what: "the reference of \(dataset)")
        if map["weeks_before"] != nil || map["from"] != nil || map["until"] != nil {
            guard timeColumn != nil else {
                fields.flag(node, "a reference by time needs the dataset's `time_column`")
                return nil
            }
            if let weeks = map["weeks_before"] {
                guard let text = fields.text(weeks, "weeks_before"), let count = Int(text), (1...520).contains(count) else {
                    fields.flag(weeks, "weeks_before is a number of weeks, like 1")
                    return nil
                }
                return .weeksBefore(count)
            }
            let utc = SnapshotLayout.utc
            guard let fromText = fields.text(map["from"], "from", required: true, parent: node),
                let untilText = fields.text(map["until"], "until", required: true, parent: node)
            else { return nil }
            guard let from = TimeInput.day(fromText, zone: utc) ?? Timestamp.parse(fromText),
                let until = TimeInput.day(untilText, zone: utc) ?? Timestamp.parse(untilText), until > from
            else {
                fields.flag(node, "from and until are days or times (UTC), from before until: {from: 2026-11-02, until: 2026-11-09}")
                return nil
            }
            return .range(DateInterval(start: from, end: until))
        }
        var variable: String?
        if case .postgres(let own, _, _) = source { variable = own }
        return readSource(map, parent: node, what: "the reference of \(dataset)", variable: variable).map { .source($0) }
    }

    // MARK: Checks

    private mutating func readCheck(_ item: Node, dataset: ChecksConfig.Dataset) -> ChecksConfig.Check? {
        let tests = ChecksConfig.Test.allCases.map(\.rawValue).joined(separator: ", ")
        guard let map = fields.mapping(item, shape: "a check is {test: psi, feature: amount_usd} (tests: \(tests))") else { return nil }
        flagUnknown(map, Self.checkKeys, what: "a check")
        guard let testText = fields.text(map["test"], "test", required: true, parent: item) else { return nil }
        guard let test = ChecksConfig.Test(rawValue: testText) else {
            fields.flag(map["test"], "unknown test `\(testText)`. Tests: \(tests)")
            return nil
        }
        var check = ChecksConfig.Check(test: test, feature: nil, column: nil, rule: nil, k: 10, expectedRows: nil, levels: [], line: fields.line(item))
        switch test {
        case .psi, .ks, .topk, .meanDrop:
            guard let feature = fields.text(map["feature"], "feature", required: true, parent: item) else { return nil }
            guard let kind = dataset.kind(of: feature) else {
                fields.flag(map["feature"], "feature `\(feature)` is not in the features of \(dataset.name)")
                return nil
            }
            let wanted: ChecksConfig.FeatureKind = test == .topk ? .categorical : .continuous
            guard kind == wanted else {
                fields.flag(map["feature"], "\(test.rawValue) reads a \(wanted.rawValue) feature; \(feature) is \(kind.rawValue)")
                return nil
            }
            guard dataset.reference != nil else {
                fields.flag(item, "\(test.rawValue) compares with a reference; \(dataset.name) has no `reference`")
                return nil
            }
            check.feature = feature
            if test == .topk, let node = map["k"] {
                guard let text = fields.text(node, "k"), let k = Int(text), (1...1000).contains(k) else {
                    fields.flag(node, "k is a number of categories from 1 to 1000")
                    return nil
                }
                check.k = k
            }
        case .freshness:
            guard let column = fields.text(map["column"], "column", required: true, parent: item) else { return nil }
            check.column = column
        case .completeness:
            guard let text = fields.text(map["expected_rows"], "expected_rows", required: true, parent: item) else { return nil }
            guard let rows = Int(text), rows > 0 else {
                fields.flag(map["expected_rows"], "expected_rows is the number of rows a complete dataset has, like 1440000")
                return nil
            }
            check.expectedRows = rows
        case .notNull, .unique:
            guard let column = fields.text(map["column"], "column", required: true, parent: item) else { return nil }
            check.column = column
            check.rule = ContractRule(test == .notNull ? .notNull : .unique, columns: [column])
        case .valid:
            guard let text = fields.text(map["rule"], "rule", required: true, parent: item) else { return nil }
            guard let rule = Self.comparisonRule(text) else {
                fields.flag(map["rule"], "rule `\(text)` must read `column op number`, like amount_usd >= 0 (op: >=, <=, >, <, ==, !=)")
                return nil
            }
            check.rule = rule
        }
        check.levels = readLevels(map, test: test, item: item)
        return check
    }

    /// `alert: 0.2, page: 0.3`, in the test's unit (`99.5%`, `20m` for freshness); the seed's
    /// levels when none is given.
    private mutating func readLevels(_ map: Node.Mapping, test: ChecksConfig.Test, item: Node) -> [ChecksConfig.Level] {
        var levels: [ChecksConfig.Level] = []
        for name in ChecksConfig.Level.names {
            guard let node = map[name] else { continue }
            guard let text = fields.text(node, name) else { continue }
            let value: Decimal?
            if test == .freshness {
                value = SLONumber.duration(text).map { $0 / 60 } ?? SLONumber.decimal(text)
            } else {
                value = SLONumber.ratio(text)?.value
            }
            guard let value, value >= 0 else {
                fields.flag(node, test == .freshness ? "\(name): `\(text)` is a time, like 20m" : "\(name): `\(text)` is not a number")
                continue
            }
            // A share or a p-value is at most 1: a bare 99.5 meant 99.5 %, and would breach forever.
            if [.completeness, .topk, .ks].contains(test), value > 1 {
                fields.flag(node, "\(name): `\(text)` is more than 1 and \(test.rawValue) is a share from 0 to 1. Write it as \(text)% or \(value / 100)")
                continue
            }
            levels.append(ChecksConfig.Level(name: name, value: value))
        }
        if levels.isEmpty { return test.defaultLevels }
        // Least strict first: the one a value reaches first on its way to a breach.
        let upward = test.comparison == .atLeast || test.comparison == .above
        return levels.sorted { upward ? $0.value < $1.value : $0.value > $1.value }
    }

    /// `amount_usd >= 0` as a rule.
    static func comparisonRule(_ text: String) -> ContractRule? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
            let comparison = ContractRule.Comparison(rawValue: parts[1]), let value = SLONumber.decimal(parts[2])
        else { return nil }
        return ContractRule(.compare(comparison, value), columns: [parts[0]])
    }
}
