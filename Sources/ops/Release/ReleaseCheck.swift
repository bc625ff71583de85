import ArgumentParser
import OpsKit

extension Ops.Release {
    struct Check: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Allowed (exit 0) or frozen (exit 1), with the reason on one line.",
            discussion: """
                Every SLI of the use case with a budget is judged (event indicators,
                and gauges with an objective: a reading that misses its target is a
                bad event); the one with the most of its budget spent governs, and
                the line names it. The burn thresholds it has crossed
                (policies/<use_case>.yaml) decide: freeze_noncritical_releases lets
                through only a change that matches an exception criterion;
                feature_freeze_all also needs an approval signed by an approver's key
                (ops release approve; the keys are in allowed_signers), valid now, and
                records the exception as an accepted decision (once per change,
                approver and week). An unsigned, unknown-key, altered or expired
                approval is refused with the reason. error_budget_policy: alert never
                freezes. Allowed with less than 10 % of the budget left (or none): a
                warning line on standard error, exit 0 ("proceed with caution"); a
                burn rate above the policy's alert_burn_rate (default 2) over 1h, 6h,
                1d or 3d gets one too, whatever the answer. With no imported data the
                budget cannot be judged: the release is allowed, and the line says so.
                  ops release check --use-case ops_copilot
                  ops release check --use-case ops_copilot --change security_fix
                  ops release check --use-case ops_copilot --format json   (schema: README)
                """
        )

        @Option(help: "The use case being released.")
        var useCase: String

        @Option(
            help: ArgumentHelp(
                "The exception criterion this change falls under, as the policy names it (security_fix). Leave out for an ordinary release.",
                valueName: "criterion"))
        var change: String?

        @Option(
            help: ArgumentHelp(
                "Who approved the exception, as the policy names them. Checked, but no longer enough for a full freeze: that needs a signed approval (ops release approve).",
                valueName: "approver"))
        var approvedBy: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let request = ReleaseGate.Request(useCase: useCase, change: change, approvedBy: approvedBy)
            let verdict = try ReleaseGate(context.workspace()).check(request) { try context.author(writer) }
            for note in verdict.notes { context.note("note: \(note)") }
            for warning in verdict.warnings { context.note("warning: \(warning)") }
            if let decision = verdict.decision {
                context.note(
                    verdict.decisionIsNew
                        ? "Recorded the exception as \(decision.path) (accepted)."
                        : "The exception is on record already this week: \(decision.path); nothing written.")
            }
            context.output(try verdict.render(format.chosen), terminated: false)
            if !verdict.allowed { throw ExitCode(1) }
        }
    }
}
