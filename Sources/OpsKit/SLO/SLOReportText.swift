import Foundation

/// Text that the SLO reports for people (`ops slo status`, `ops policy replay`) lay out alike.
enum SLOReportText {
    /// One field of a report's block over several lines: `label` before the first value, blanks
    /// as wide before each other one, so the values line up under each other.
    static func labelled(_ label: String, _ values: [String]) -> [String] {
        let indent = String(repeating: " ", count: label.count)
        return values.enumerated().map { index, value in (index == 0 ? label : indent) + value }
    }

    /// A policy threshold's actions: `notify:#sre, reduce_depth_k`, or `(no actions)`.
    static func actions(_ actions: [String]) -> String { actions.isEmpty ? "(no actions)" : actions.joined(separator: ", ") }
}
