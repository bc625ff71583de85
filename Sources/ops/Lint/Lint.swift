import ArgumentParser
import OpsKit

extension Ops {
    struct Lint: OpsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every document; print file:line: problem for each one.",
            discussion: """
            Reads the work tree, so hand edits are checked before you commit them. Exit
            code 1 when a problem is found, 0 when everything is clean.

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
            if report.problems.isEmpty {
                context.note("Clean: \(report.filesChecked) files checked.")
                return
            }
            let count = report.problems.count
            context.note("\(count) problem\(count == 1 ? "" : "s") in \(report.filesChecked) files checked.")
            throw ExitCode(1)
        }
    }
}
