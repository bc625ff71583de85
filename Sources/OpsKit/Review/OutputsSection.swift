import Foundation

/// Something the figures ask the meeting to settle, gathered while the sections are built.
enum ReviewOutput {
    /// A decision to take.
    case decision(String)
    /// An owner to confirm.
    case owner(String)
}

/// 8. Outputs: what the meeting should record, in the order the sections raised it.
struct OutputsSection: ReviewSection {
    struct Line: Encodable {
        var text: UserText
    }

    var decisions: [String]
    var owners: [String]

    init(_ outputs: [ReviewOutput]) {
        decisions = outputs.compactMap { if case .decision(let text) = $0 { text } else { nil } }
        owners = outputs.compactMap { if case .owner(let text) = $0 { text } else { nil } }
    }

    struct Template: Encodable {
        var outputsDecisions: [Line]
        var outputsOwners: [Line]
        var outputsNone: String

        enum CodingKeys: String, CodingKey { case outputsDecisions = "outputs_decisions", outputsOwners = "outputs_owners", outputsNone = "outputs_none" }
    }

    var template: Template {
        Template(
            outputsDecisions: decisions.map { Line(text: UserText($0)) }, outputsOwners: owners.map { Line(text: UserText($0)) },
            outputsNone: decisions.isEmpty && owners.isEmpty ? "Nothing flagged by the figures; record any decision the meeting takes." : "")
    }
}
