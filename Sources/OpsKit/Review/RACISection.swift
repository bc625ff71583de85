import Foundation

/// 7. RACI: who is responsible, accountable, consulted and informed for each workstream, from `raci.yaml`.
struct RACISection: ReviewSection {
    struct Workstream: Encodable {
        var workstream: UserText
        var responsible: Names
        var accountable: Names
        var consulted: Names
        var informed: Names

        enum CodingKeys: String, ReviewTemplateKey {
            case workstream, responsible = "R", accountable = "A", consulted = "C", informed = "I"

            var templateName: String? { self == .workstream ? nil : stringValue.lowercased() }
        }
    }

    var workstreams: [Workstream]

    /// `matrix` is nil when raci.yaml is missing or does not read.
    init(_ matrix: RACIMatrix?) {
        workstreams = (matrix?.workstreams ?? []).map { stream in
            Workstream(
                workstream: UserText(stream.name), responsible: Names(stream.responsible, absent: ""), accountable: Names(stream.accountable, absent: ""),
                consulted: Names(stream.consulted, absent: ""), informed: Names(stream.informed, absent: ""))
        }
    }

    func encode(to encoder: any Encoder) throws { var container = encoder.singleValueContainer(); try container.encode(workstreams) }

    struct Template: Encodable {
        var raci: [Workstream]
        var raciNone: String

        enum CodingKeys: String, CodingKey { case raci, raciNone = "raci_none" }
    }

    var template: Template {
        Template(raci: workstreams, raciNone: workstreams.isEmpty ? "No RACI matrix: raci.yaml is missing or does not read (ops lint)." : "")
    }
}
