import Foundation

/// 7. RACI: who is responsible, accountable, consulted and informed for each workstream, from `raci.yaml`.
struct RACISection: ReviewTableSection {
    static let templateNames = (rows: "raci", none: "raci_none")

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

    var rows: [Workstream]

    /// `matrix` is nil when raci.yaml is missing or does not read.
    init(_ matrix: RACIMatrix?) {
        rows = (matrix?.workstreams ?? []).map { stream in
            Workstream(
                workstream: UserText(stream.name), responsible: Names(stream.responsible, absent: ""), accountable: Names(stream.accountable, absent: ""),
                consulted: Names(stream.consulted, absent: ""), informed: Names(stream.informed, absent: ""))
        }
    }

    var none: String { "No RACI matrix: raci.yaml is missing or does not read (ops lint)." }
}
