import Foundation

/// The block `ops sync` leaves where the same lines of a document changed on two clones: both
/// versions, between Git's own markers, so any Git user knows what to do with it.
///
///     <<<<<<< this clone
///     (our lines)
///     =======
///     (their lines)
///     >>>>>>> origin/main
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
