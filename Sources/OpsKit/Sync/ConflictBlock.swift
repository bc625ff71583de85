import Foundation

/// The block `ops sync` leaves where the same lines of a document changed on two clones: both
/// versions, between Git's own markers, so any Git user knows what to do with it. The earlier
/// change comes first, each named by its author, time and commit (`MergeSideHistory.sideOrder`).
///
///     <<<<<<< Alice Martin, 2026-11-22T18:05:02Z, commit 3f2a1bc
///     (the earlier side's lines)
///     =======
///     (the later side's lines)
///     >>>>>>> Bob Okafor, 2026-11-22T18:07:02Z, commit 9e8d7c6
enum ConflictBlock {
    /// `ops lint`: one problem per unresolved block, at its `<<<<<<<` line.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        var problems: [Problem] = []
        var open: Int?
        for (index, line) in YAMLText.split(text).enumerated() {
            if line.text.hasPrefix("<<<<<<< ") || line.text == "<<<<<<<" {
                open = open ?? index + 1
            } else if line.text.hasPrefix(">>>>>>> ") || line.text == ">>>>>>>", let start = open {
                problems.append(
                    Problem(
                        Location(path: path, line: start),
                        "unresolved sync conflict block (from line \(start) to \(index + 1)): keep the lines that are right, then delete the <<<<<<<, ======= and >>>>>>> lines"
                    ))
                open = nil
            }
        }
        return problems
    }
}
