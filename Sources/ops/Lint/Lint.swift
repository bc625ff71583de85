import ArgumentParser
import OpsKit

extension Ops {
    struct Lint: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check every document; print file:line: problem for each one.",
            discussion: """
                Reads the work tree, so hand edits are checked before you commit them. Exit
                code 1 when a problem is found, 0 when everything is clean. Warnings (an
                ambiguous policy number, say) are printed but do not fail.

                  ops lint
                """
        )

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            try Self.report(Linter.run(context.workspace()), context: context)
        }

        /// Prints problems on stdout, a summary on stderr, and says no (exit 1) when there are any.
        static func report(_ report: Linter.Report, context: OpsContext) throws {
            for problem in report.problems { context.output(problem.description) }
            let errors = report.problems.filter { !$0.isWarning }.count
            let warnings = report.problems.count - errors
            let warned = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
            if errors == 0 {
                context.note((warnings == 0 ? "Clean" : "No problems") + warned + ": \(report.filesChecked) files checked.")
                return
            }
            context.note("\(errors) problem\(errors == 1 ? "" : "s")\(warned) in \(report.filesChecked) files checked.")
            throw ExitCode(1)
        }
    }
}
