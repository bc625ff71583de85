import ArgumentParser
import OpsKit

extension Ops.Release {
    struct Approve: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Approve an exception to a full freeze, signed with your own key.",
            discussion: """
                For the policy's approver. Writes approvals/<use_case>/<id>.yaml in one
                commit signed through your Git signing settings (git config gpg.format
                ssh, git config user.signingkey ~/.ssh/id_ed25519.pub; or GPG). Your key
                must be in the policy's allowed_signers file (policies/allowed_signers
                unless the policy names another; GPG keys: its openpgp_keys file), as
                committed; otherwise nothing is written.
                ops release check --change then lets that change through until the
                approval ends (24 hours unless --until says, at most 7 days).
                  ops release approve ops_copilot --change security_fix
                  ops release approve ops_copilot --change security_fix --until 18:00 \\
                    --reason "CVE-2026-1234 patch"
                """
        )

        @Argument(help: "The use case whose freeze the exception is to.")
        var useCase: String

        @Option(help: ArgumentHelp("The exception criterion approved, as the policy names it (security_fix).", valueName: "criterion"))
        var change: String

        @Option(help: ArgumentHelp("When the approval ends (2026-12-07T18:00:00Z, 18:00, a date). Default: 24 hours from now.", valueName: "time"))
        var until: String?

        @Option(help: "Why, in a few words: kept in the approval.")
        var reason: String?

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let approved = try ApprovalService(workspace).approve(
                useCase: useCase, change: change, until: until, reason: reason, author: try context.author(writer))
            let approval = approved.approval
            context.output(
                "Approved \(approval.change) releases of \(approval.useCase) until \(LocalTime.formatWithZone(approval.until, zone: try workspace.config().timeZone)): \(approval.path), commit \(approved.commit.prefix(7)), signed by \(approved.approver) (\(approved.key))."
            )
        }
    }
}
