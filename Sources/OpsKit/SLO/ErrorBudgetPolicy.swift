public import Foundation
import Yams

/// `policies/<use_case>.yaml`: the objective and window of a use case's error budget, the
/// burn thresholds with the actions each calls for (applied to every SLI of the use case),
/// whether its freezes are enforced or only reported (`error_budget_policy`), the burn rate
/// that is reported as an alert (`alert_burn_rate`), who may approve a release during a freeze
/// and for what, and where the weekly report goes. Read in the format teams already write.
public struct ErrorBudgetPolicy: Sendable {
    public static let folder = "policies"
    static let knownKeys = [
        "use_case", "sli", "window", "objective", "error_budget", "error_budget_policy", "alert_burn_rate", "burn_alerts",
        "freeze_release_exceptions", "reporting",
    ]
    /// The burn rate reported as an alert when a policy names none: the seed's SLOMonitor's 2.0,
    /// a budget spent in half its window.
    public static let defaultAlertBurnRate: Decimal = 2

    public var path: String
    public var useCase: String
    /// The indicator whose objective and window `objective`/`error_budget` and `window` state;
    /// nil means the use case's first event-based indicator. The thresholds apply to every SLI.
    public var sli: String?
    public var window: SLOWindow
    public var budget: Budget
    /// `error_budget_policy`: whether the freezes its thresholds call for are enforced.
    public var mode: Mode = .freeze
    /// `alert_burn_rate`: a burn rate above it, over 1 h, 6 h, 1 d or 3 d, is reported as an
    /// alert; nil when the policy names none (`effectiveAlertBurnRate` is then 2).
    public var alertBurnRate: Decimal?
    /// Increasing thresholds of budget consumed, each with its actions.
    public var burnAlerts: [BurnAlert]
    public var freezeExceptions: FreezeExceptions?
    public var reporting: Reporting?

    /// How the budget is written.
    public enum Budget: Sendable, Equatable {
        /// `objective: 99.9%`.
        case objective(Decimal)
        /// `error_budget: 0.1%` (0.001), or a bare `error_budget: 0.1`, read as a percent of the window.
        case ratio(Decimal, bare: Bool)
        /// `error_budget: 43m`: time of full unavailability the window may contain.
        case duration(seconds: Decimal)
    }

    /// `error_budget_policy: freeze` (the default): `ops release check` enforces the freeze
    /// actions of the thresholds crossed. `error_budget_policy: alert`: the thresholds and their
    /// actions are reported, and no release is ever frozen.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case freeze, alert
    }

    /// The burn rate above which a span's rate is reported: the policy's, or 2.
    public var effectiveAlertBurnRate: Decimal { alertBurnRate ?? Self.defaultAlertBurnRate }

    /// A burn threshold: once `at` of the budget is consumed, `actions` are due.
    public struct BurnAlert: Sendable, Equatable {
        /// Share of the budget consumed, 0.5 for `at: 50%`.
        public var at: Decimal
        public var actions: [String]
        public var line: Int?
    }

    public struct FreezeExceptions: Sendable, Equatable {
        public var approver: String?
        public var criteria: [String]
        /// The approvers' public keys, in the format of `ssh-keygen -Y` (`allowed_signers`);
        /// nil for the usual place, `policies/allowed_signers`.
        public var allowedSigners: String? = nil
        /// The approvers' OpenPGP public keys (`gpg --armor --export`), for approvals Git signs
        /// with GPG; nil when approvers sign with SSH only.
        public var openPGPKeys: String? = nil

        /// The file of approvers' keys this policy trusts.
        public var signersPath: String { allowedSigners ?? ErrorBudgetPolicy.defaultSignersPath }
    }

    /// Where the approvers' keys are when a policy does not name a file.
    public static let defaultSignersPath = "\(folder)/allowed_signers"

    public struct Reporting: Sendable, Equatable {
        public var channel: String?
        public var artifacts: [String]
    }

    /// The policy file of a use case.
    public static func path(for useCase: String) -> String { "\(folder)/\(useCase).yaml" }

    /// The budget as a share of events (1 − objective) for the window period `period`; a
    /// duration is a share of the period's length (a calendar month's varies).
    public func budgetRatio(over period: DateInterval) -> Decimal {
        switch budget {
        case .objective(let objective): return 1 - objective
        case .ratio(let ratio, _): return ratio
        case .duration(let seconds):
            let length = window.nominalSeconds ?? Decimal(Int(period.duration.rounded()))
            return length > 0 ? seconds / length : 0
        }
    }

    /// The alerts whose threshold `consumed` has reached, lowest first.
    public func alerts(reachedAt consumed: Decimal) -> [BurnAlert] {
        burnAlerts.filter { consumed >= $0.at }
    }

    // MARK: Loading

    /// Reads and checks a policy; the first problem is thrown as `path:line: problem`. Warnings
    /// (a bare `error_budget` number, unknown keys) do not stop it loading.
    public static func load(_ text: String, path: String) throws -> ErrorBudgetPolicy {
        var reader = PolicyReader(YAMLFieldReader(try YAMLText(text, path: path)), text: text)
        let policy = reader.read()
        if let first = reader.fields.problems.first { throw OpsError(.input, first.message, at: first.location) }
        return policy!
    }

    /// Every problem and warning in a policy, for `ops lint`.
    public static func problems(in text: String, path: String, config: OpsConfig?) -> [Problem] {
        do {
            var reader = PolicyReader(YAMLFieldReader(try YAMLText(text, path: path)), text: text)
            let policy = reader.read()
            var problems = reader.fields.problems + reader.warnings
            if let policy, let config, !config.useCases.isEmpty, !config.useCases.contains(policy.useCase) {
                problems.append(
                    Problem(
                        Location(path: path, line: reader.fields.yaml.line(of: "use_case")),
                        "use case `\(policy.useCase)` is not in ops.yaml's use_cases (\(config.useCases.joined(separator: ", ")))"))
            }
            return problems
        } catch {
            return [Problem(error)]
        }
    }

    /// The policy of `useCase` in the work tree (policies are configuration, like ops.yaml), nil
    /// when it has none.
    public static func load(for useCase: String, from workspace: Workspace) throws -> ErrorBudgetPolicy? {
        for path in [path(for: useCase), "\(folder)/\(useCase).yml"] {
            guard let text = try workspace.readWorkTreeFile(path) else { continue }
            let policy = try load(text, path: path)
            guard policy.useCase == useCase else {
                throw OpsError.file(
                    path, line: try YAMLText(text, path: path).line(of: "use_case"),
                    "is the policy file of \(useCase) but says use_case: \(policy.useCase)",
                    fix: "Rename the file or correct use_case")
            }
            return policy
        }
        return nil
    }

    /// An objective as written: `99.9%` or a ratio `0.999`, strictly between 0 and 1.
    static func objective(_ text: String) -> Decimal? {
        guard let (value, _) = SLONumber.ratio(text), value > 0, value < 1 else { return nil }
        return value
    }
}

/// Reads a policy's fields with their lines.
private struct PolicyReader {
    var fields: YAMLFieldReader
    var warnings: [Problem] = []
    let lines: [Substring]

    init(_ fields: YAMLFieldReader, text: String) {
        self.fields = fields
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    mutating func read() -> ErrorBudgetPolicy? {
        let yaml = fields.yaml
        for key in yaml.keys where !ErrorBudgetPolicy.knownKeys.contains(key) {
            warn(yaml.line(of: key), "unknown key `\(key)`; ops reads \(ErrorBudgetPolicy.knownKeys.joined(separator: ", "))")
        }
        let useCase = fields.text(yaml["use_case"], "use_case", required: true)
        if let useCase, fields.path.hasPrefix(ErrorBudgetPolicy.folder + "/") {
            let file = (fields.path as NSString).lastPathComponent
            let stem = (file as NSString).deletingPathExtension
            if stem != useCase {
                fields.flag(key: "use_case", "use_case `\(useCase)` does not match the file name \(file). Name the file \(useCase).yaml")
            }
        }
        let sli = fields.text(yaml["sli"], "sli")
        let window = readWindow()
        let budget = readBudget(window: window)
        let mode = readMode()
        let alertBurnRate = readAlertBurnRate()
        let alerts = readBurnAlerts()
        let exceptions = readExceptions()
        let reporting = readReporting()
        guard let useCase, let window, let budget else { return nil }
        return ErrorBudgetPolicy(
            path: fields.path, useCase: useCase, sli: sli, window: window, budget: budget, mode: mode,
            alertBurnRate: alertBurnRate, burnAlerts: alerts, freezeExceptions: exceptions, reporting: reporting)
    }

    /// `error_budget_policy: freeze` (the default) or `alert`.
    private mutating func readMode() -> ErrorBudgetPolicy.Mode {
        guard let text = fields.text(fields.yaml["error_budget_policy"], "error_budget_policy") else { return .freeze }
        guard let mode = ErrorBudgetPolicy.Mode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            fields.flag(
                key: "error_budget_policy",
                "error_budget_policy `\(text)` is not freeze or alert. Write error_budget_policy: freeze (the thresholds' freezes hold releases) or error_budget_policy: alert (they are only reported)"
            )
            return .freeze
        }
        return mode
    }

    /// `alert_burn_rate: 2` (or `2x`): a positive number of times the budget's pace.
    private mutating func readAlertBurnRate() -> Decimal? {
        guard let text = fields.text(fields.yaml["alert_burn_rate"], "alert_burn_rate") else { return nil }
        var number = text.trimmingCharacters(in: .whitespaces)
        if number.hasSuffix("x") || number.hasSuffix("×") { number = String(number.dropLast()).trimmingCharacters(in: .whitespaces) }
        guard let value = SLONumber.decimal(number), value > 0 else {
            fields.flag(
                key: "alert_burn_rate",
                "alert_burn_rate `\(text)` is not a positive number. Write it like alert_burn_rate: 2 (twice the pace that spends the budget over the window)")
            return nil
        }
        return value
    }

    private mutating func readWindow() -> SLOWindow? {
        guard let text = fields.text(fields.yaml["window"], "window", required: true) else { return nil }
        guard let window = SLOWindow(text) else {
            fields.flag(key: "window", "window `\(text)` is not one of: \(SLOWindow.forms)")
            return nil
        }
        return window
    }

    private mutating func readBudget(window: SLOWindow?) -> ErrorBudgetPolicy.Budget? {
        let yaml = fields.yaml
        var fromObjective: Decimal?
        if let text = fields.text(yaml["objective"], "objective") {
            guard let (value, percent) = SLONumber.ratio(text) else {
                fields.flag(key: "objective", "objective `\(text)` is not a number. Write it like objective: 99.9%")
                return nil
            }
            if !percent && value >= 1 && value < 100 {
                fields.flag(key: "objective", "objective `\(text)` has no %: write objective: \(text)% (or the ratio \(value / 100))")
                return nil
            }
            guard value > 0, value < 1 else {
                fields.flag(key: "objective", "objective `\(text)` must be more than 0 % and less than 100 %. Write it like objective: 99.9%")
                return nil
            }
            fromObjective = value
        }
        var budget: ErrorBudgetPolicy.Budget?
        if let text = fields.text(yaml["error_budget"], "error_budget") {
            if let (value, percent) = SLONumber.ratio(text) {
                guard value > 0, value < 1 else {
                    fields.flag(key: "error_budget", "error_budget `\(text)` must be more than 0 % and less than 100 % of the window")
                    return nil
                }
                // A bare number is read as a percent of the window: 0.1 → 0.1 % → objective 99.9 %.
                budget = .ratio(percent ? value : value / 100, bare: !percent)
                if !percent { warnBare(text, value: value / 100, window: window) }
            } else if let seconds = SLONumber.duration(text), seconds > 0 {
                if let length = window?.nominalSeconds, seconds >= length {
                    fields.flag(key: "error_budget", "error_budget `\(text)` is as long as the window (\(window!.phrase))")
                    return nil
                }
                budget = .duration(seconds: seconds)
            } else {
                fields.flag(
                    key: "error_budget",
                    "error_budget `\(text)` is not a percent or a duration. Write error_budget: 0.1% or error_budget: 43m, or objective: 99.9%")
                return nil
            }
        }
        switch (fromObjective, budget) {
        case (nil, nil):
            fields.flag(nil, "no `objective` or `error_budget`. Write objective: 99.9% (or error_budget: 0.1%, or error_budget: 43m)")
            return nil
        case (let objective?, nil):
            return .objective(objective)
        case (nil, let budget?):
            return budget
        case (let objective?, let budget?):
            let ratio: Decimal?
            switch budget {
            case .ratio(let value, _): ratio = value
            case .duration(let seconds): ratio = window?.nominalSeconds.map { seconds / $0 }
            case .objective: ratio = nil
            }
            if let ratio, ratio != 1 - objective {
                fields.flag(
                    key: "error_budget",
                    "error_budget (\(SLONumber.percentText(ratio))) and objective (\(SLONumber.percentText(objective))) disagree: 1 − objective is the budget. Keep one of them"
                )
                return nil
            }
            return .objective(objective)
        }
    }

    /// The lint warning for `error_budget: 0.1`: how ops reads it, and the explicit forms.
    private mutating func warnBare(_ text: String, value ratio: Decimal, window: SLOWindow?) {
        let line = fields.yaml.line(of: "error_budget")
        var reading = "ops reads a bare number as a percent of the window: \(text) % = objective \(SLONumber.percentText(1 - ratio))"
        var forms = ["objective: \(SLONumber.percentText(1 - ratio))", "error_budget: \(SLONumber.percentText(ratio))"]
        if let window, let length = window.nominalSeconds {
            let minutes = Self.minutes(ratio * length)
            reading += ", \(minutes) min over \(window.phrase)"
            forms.append("error_budget: \(minutes)m")
            // The fixture's comment says "0.1 days": that would be another budget altogether.
            if let line, line - 1 < lines.count, let hash = lines[line - 1].firstIndex(of: "#"),
                lines[line - 1][hash...].lowercased().contains("day"), let days = SLONumber.decimal(text)
            {
                reading += "; its comment speaks of days, and \(text) days would be \(SLONumber.percentText(Self.rounded(days * 86_400 / length, 4)))"
            }
        }
        warn(line, "warning: `error_budget: \(text)` is ambiguous (\(reading)). Write one of: \(forms.joined(separator: ", "))")
    }

    private mutating func readBurnAlerts() -> [ErrorBudgetPolicy.BurnAlert] {
        var alerts: [ErrorBudgetPolicy.BurnAlert] = []
        for item in fields.list(at: "burn_alerts", shape: "`burn_alerts` is a list: - at: 50%  then  actions: [...]") {
            guard let map = fields.mapping(item, shape: "a burn alert is `- at: 50%` with `actions: [...]` under it") else { continue }
            guard let text = fields.text(map["at"], "at", required: true, parent: item) else { continue }
            guard let (value, percent) = SLONumber.ratio(text), value > 0 else {
                fields.flag(map["at"], "burn alert at `\(text)` is not a percent of the budget. Write it like at: 50%")
                continue
            }
            let at = percent ? value : value / 100
            if !percent && value <= 1 {
                warn(
                    fields.line(map["at"]),
                    "warning: `at: \(text)` reads as \(text) % of the budget. Write at: \(text)% to confirm, or at: \(value * 100)% if you meant a ratio")
            }
            let line = fields.line(map["at"])
            if let previous = alerts.last, at <= previous.at {
                let order = (alerts.map(\.at) + [at]).map(SLONumber.percentText).joined(separator: ", ")
                fields.flag(
                    map["at"],
                    at == previous.at
                        ? "burn alert at \(SLONumber.percentText(at)) is listed twice. Merge their actions"
                        : "burn alert at \(SLONumber.percentText(at)) comes after \(SLONumber.percentText(previous.at)): thresholds must increase (\(order)). Sort them"
                )
                continue
            }
            let actions = fields.textList(map["actions"], "actions")
            if actions.isEmpty { warn(line, "warning: burn alert at \(SLONumber.percentText(at)) has no actions") }
            alerts.append(ErrorBudgetPolicy.BurnAlert(at: at, actions: actions, line: line))
        }
        return alerts
    }

    private mutating func readExceptions() -> ErrorBudgetPolicy.FreezeExceptions? {
        guard
            let map = fields.mapping(at: "freeze_release_exceptions", shape: "`freeze_release_exceptions` holds approver: \"VP Platform\" and criteria: [...]")
        else { return nil }
        return ErrorBudgetPolicy.FreezeExceptions(
            approver: fields.text(map["approver"], "approver"),
            criteria: fields.textList(map["criteria"], "criteria"),
            allowedSigners: fields.text(map["allowed_signers"], "allowed_signers"),
            openPGPKeys: fields.text(map["openpgp_keys"], "openpgp_keys"))
    }

    private mutating func readReporting() -> ErrorBudgetPolicy.Reporting? {
        guard let map = fields.mapping(at: "reporting", shape: "`reporting` holds channel: \"#ops-weekly\" and artifacts: [...]") else { return nil }
        return ErrorBudgetPolicy.Reporting(
            channel: fields.text(map["channel"], "channel"),
            artifacts: fields.textList(map["artifacts"], "artifacts"))
    }

    private mutating func warn(_ line: Int?, _ message: String) {
        warnings.append(Problem(Location(path: fields.path, line: line), message))
    }

    /// Seconds as minutes for `43.2m`: at most two decimals.
    static func minutes(_ seconds: Decimal) -> String { rounded(seconds / 60, 2).description }

    static func rounded(_ value: Decimal, _ scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }
}
