import Foundation

/// 1. SLO posture: each SLO's error budget at the end of the week, sorted by use case and SLI.
struct SLOPostureSection: ReviewTableSection {
    static let templateNames = (rows: "slos", none: "slo_none")

    /// The colour of the budget: `null` in metrics.json and NO DATA in the pack when nothing was measured.
    struct Colour: ReviewFigure {
        var value: String?

        var markdown: String { value?.uppercased() ?? "NO DATA" }
        var json: String? { value }
    }

    struct SLO: Encodable {
        var useCase: UserText
        var sli: UserText
        var objective: Percent
        var window: UserText
        var good: JSONNumber
        var total: JSONNumber
        var budgetConsumed: Percent
        var budgetRemaining: Percent
        var burnRateWindow: Rate
        var colour: Colour
        var actions: Names
        var freeze: String

        enum CodingKeys: String, ReviewTemplateKey {
            case useCase = "use_case", sli, objective, window, good, total, budgetConsumed = "budget_consumed",
                budgetRemaining = "budget_remaining", burnRateWindow = "burn_rate_window", colour, actions, freeze

            var templateName: String? {
                switch self {
                case .budgetConsumed: "consumed"
                case .budgetRemaining: "remaining"
                case .burnRateWindow: "burn_rate"
                default: nil
                }
            }
        }
    }

    var rows: [SLO]

    init(_ statuses: [ErrorBudgetStatus], outputs: inout [ReviewOutput]) {
        rows = statuses.map { status in
            SLO(
                useCase: UserText(status.useCase), sli: UserText(status.sli), objective: Percent(value: SLONumber.double(status.objective), digits: 3),
                window: UserText(status.window.description), good: JSONNumber(status.good), total: JSONNumber(status.total),
                budgetConsumed: Percent(value: status.consumed), budgetRemaining: Percent(value: status.remaining),
                burnRateWindow: Rate(value: status.burnRates.first { $0.span == .window }?.rate),
                colour: Colour(value: status.total > 0 ? status.colour?.rawValue ?? "green" : nil),
                actions: Names(status.actions), freeze: ReleaseFreeze(crossed: status.crossed).scope.rawValue)
        }
        for status in statuses where status.total > 0 {
            guard let colour = status.colour, colour != .green else { continue }
            let due = status.actions.isEmpty ? "" : "; policy actions due: \(status.actions.joined(separator: ", "))"
            outputs.append(
                .decision(
                    "\(status.useCase) \(status.sli) is \(colour.rawValue.uppercased()) with \(ReviewMarkdown.percent(status.consumed)) of its budget used\(due): confirm the actions and who owns them"
                ))
        }
    }

    var none: String { "No SLO data for this week: no slo/catalog.yaml, or nothing imported (ops slo import)." }
}
