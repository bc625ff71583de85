import ArgumentParser
import OpsKit

extension Ops {
    struct Verify: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every signature and every release approval in a range of history.",
            discussion: """
                Each signed commit is checked against the approvers' keys (the policies'
                allowed_signers files, as committed at the end of the range), as
                git log --show-signature does with gpg.ssh.allowedSignersFile; each
                approval as ops release check does (expiry aside). Lists what does not
                verify. Exit 0 when everything verifies, 1 when something does not.
                OpenPGP signatures are checked against the policies' openpgp_keys;
                with none named, they are listed as not checked.
                  ops verify                       all of history
                  ops verify origin/main..HEAD     what a pull request adds
                  ops verify --format json         (schema: README)
                """
        )

        @Argument(help: ArgumentHelp("A range (A..B) or one revision: everything it reaches. Default: HEAD.", valueName: "range"))
        var range: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let report = try ApprovalService(workspace).verify(range)
            context.output(try report.render(format.chosen, zone: workspace.config().timeZone), terminated: false)
            if !report.verified { throw ExitCode(1) }
        }
    }
}
