import Foundation

/// What each figure of the pack means: the response metrics as ops.yaml's clock start defines
/// them, and the terms the sections use.
struct ReviewDefinitions: ReviewSection {
    var clockStart: ClockStart
    var trendWeeks: Int

    var terms: [String: String] {
        var terms = Dictionary(uniqueKeysWithValues: ResponseMetric.allCases.map { ($0.rawValue, $0.definition(clockStart: clockStart)) })
        terms["budget_consumed"] = "bad / ((1 − objective) × total) over the policy's window, at the end of the week"
        terms["burn_rate_window"] = "error ratio / (1 − objective) over the window; 1 spends exactly the budget"
        terms["median"] = "the middle value; the mean of the two middle values for an even count"
        terms["p90"] = "nearest rank: the smallest value with at least 90 % of values at or below it"
        terms["active_incident"] = "opened in the week, or opened before it and not resolved at its start"
        terms["as_of"] =
            "every figure is the state at the week's end (while the week is not over, a minute after the last change recorded); clock points, postmortems, decisions and backlog items recorded later do not count, a clock point corrected later does and is listed in corrections"
        terms["ucr_usd"] = "spend_usd / requests, each summed over the week (UTC)"
        terms["overdue"] = "past its due day at the end of the week (team time zone) and not finished"
        terms["root_causes"] = "postmortems of incidents opened in the \(trendWeeks) weeks ending with this one, by root_cause_category"
        return terms
    }

    func encode(to encoder: any Encoder) throws { var container = encoder.singleValueContainer(); try container.encode(terms) }

    struct Template: Encodable {
        struct Definition: Encodable {
            var metric: String
            var definition: UserText
        }

        /// The response metrics only: the template states the other terms in its own words.
        var definitions: [Definition]
    }

    var template: Template {
        Template(
            definitions: ResponseMetric.allCases.map {
                Template.Definition(metric: $0.rawValue.replacingOccurrences(of: "_", with: " "), definition: UserText($0.definition(clockStart: clockStart)))
            })
    }
}
