import Foundation

/// 4. Cost: each use case's unit cost per request (UCR) in the week, against its target and the
/// week before.
struct CostSection: ReviewTableSection {
    static let templateNames = (rows: "costs", none: "costs_none")

    /// Over its target or not: a Boolean (null without a target) in metrics.json, words in the template.
    struct Verdict: ReviewFigure {
        var overTarget: Bool?

        var markdown: String { overTarget.map { $0 ? "OVER target" : "within target" } ?? "no target" }
        var json: Bool? { overTarget }
    }

    struct UseCase: Encodable {
        var useCase: UserText
        var spendUSD: JSONNumber
        var requests: JSONNumber
        var ucrUSD: Dollars
        var targetUSD: Dollars
        var previousUCRUSD: Dollars
        var change: SignedPercent
        var overTarget: Verdict

        enum CodingKeys: String, ReviewTemplateKey {
            case useCase = "use_case", spendUSD = "spend_usd", requests, ucrUSD = "ucr_usd", targetUSD = "target_usd",
                previousUCRUSD = "previous_ucr_usd", change, overTarget = "over_target"

            var templateName: String? {
                switch self {
                case .ucrUSD: "ucr"
                case .targetUSD: "target"
                case .previousUCRUSD: "previous"
                case .overTarget: "verdict"
                default: nil
                }
            }
        }
    }

    var rows: [UseCase]
    var week: String

    init(_ report: SignalsReport?, week: ISOWeek, outputs: inout [ReviewOutput]) {
        rows = []
        for useCase in report?.useCases.sorted(by: { $0.useCase < $1.useCase }) ?? [] {
            guard let cost = useCase.unitCost, cost.requests > 0 else { continue }
            let over = cost.target.map { cost.ucr > $0 }
            rows.append(
                UseCase(
                    useCase: UserText(useCase.useCase), spendUSD: JSONNumber(cost.spend), requests: JSONNumber(cost.requests),
                    ucrUSD: Dollars(value: cost.ucr), targetUSD: Dollars(value: cost.target), previousUCRUSD: Dollars(value: cost.previous),
                    change: SignedPercent(value: cost.change), overTarget: Verdict(overTarget: over)))
            if over == true {
                outputs.append(.decision("\(useCase.useCase) unit cost \(SignalFormat.value(cost.ucr, unit: "usd")) is over its target: decide what to change"))
            }
        }
        self.week = week.description
    }

    var none: String { "No cost readings (spend_usd and requests) for \(week)." }
}
