import Foundation

/// One part of the pack. Its stored figures, computed once, are what `metrics.json` holds;
/// `template` lays the same values out as templates/review/pack.md reads them, under the names
/// the templates already committed in teams' repositories use. A view only arranges and words
/// the figures: it never reads the repository or computes a figure again.
protocol ReviewSection: Encodable {
    associatedtype Template: Encodable
    var template: Template { get }
}

/// Everything the pack says about its week, section by section in the agenda's order:
/// `metrics.json` is this, encoded; `templateContext` is what pack.md is rendered from.
struct ReviewMetrics: Encodable {
    var heading: ReviewHeading
    var definitions: ReviewDefinitions
    var slos: SLOPostureSection
    var incidents: IncidentsSection
    var postmortems: PostmortemsSection
    var signals: SignalsSection
    var cost: CostSection
    var risks: RisksSection
    var backlog: BacklogSection
    var raci: RACISection
    var outputs: OutputsSection

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", definitions, slos, incidents, postmortems, signals, cost, risks, backlog, raci, outputs
    }

    func encode(to encoder: any Encoder) throws {
        // The heading's fields sit at the top level of the file.
        try heading.encode(to: encoder)
        try encoder.encodeObject(
            CodingKeys.self,
            [
                .schemaVersion: ReviewPack.schemaVersion, .definitions: definitions, .slos: slos, .incidents: incidents, .postmortems: postmortems,
                .signals: signals, .cost: cost, .risks: risks, .backlog: backlog, .raci: raci, .outputs: outputs,
            ])
    }

    /// The template's context: every section's view side by side at the top level, whether each
    /// chart was drawn (`chart_budget`, ...), and `<list>_any` for every list.
    func templateContext(charts: [String]) throws -> [String: Any] {
        let views: [any Encodable] = [
            heading.template, definitions.template, slos.template, incidents.template, postmortems.template,
            signals.template, cost.template, risks.template, backlog.template, raci.template, outputs.template,
        ]
        var context: [String: Any] = [:]
        for view in views {
            for (key, value) in try ReviewTemplateEncoder.fields(of: view) where context.updateValue(value, forKey: key) != nil {
                preconditionFailure("two sections of the pack give the template \(key)")
            }
        }
        for (key, name) in [("chart_budget", ReviewCharts.budgetName), ("chart_response", ReviewCharts.responseName), ("chart_cost", ReviewCharts.costName)] {
            context[key] = charts.contains(name)
        }
        // `{{#slos_any}}` opens a table only when it has rows: mustache has no "is empty" test.
        for (key, value) in context {
            if let list = value as? [Any] { context[key + "_any"] = !list.isEmpty }
        }
        return context
    }
}
