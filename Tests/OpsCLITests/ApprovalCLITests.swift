import Foundation
import SigningKeys
import Testing

/// Signed approvals of release exceptions and `ops verify`, with real keys from ssh-keygen,
/// signatures made through Git's own signing settings, and Git itself as the second opinion.
@Suite struct ApprovalCLITests {
    static let monday = ["OPS_NOW": "2026-11-23T09:00:00Z"]
    static let check = ["release", "check", "--use-case", "ops_copilot", "--change", "security_fix"]

    /// The example repository with availability at 103.8 % of its budget (a full freeze), the
    /// approver's key in policies/allowed_signers, and Git signing with it.
    static func frozen(_ cli: CLI) throws -> (repo: String, approver: SigningKey, stranger: SigningKey) {
        let repo = try SLOCLITests.repository(cli)
        let imported = try cli.ops(
            [
                "slo", "import", "--prometheus-good", ReleaseCLITests.fixtures + "/ops_copilot_good.json",
                "--prometheus-total", ReleaseCLITests.fixtures + "/ops_copilot_total.json",
                "--use-case", "ops_copilot", "--sli", "availability",
            ], in: repo, environment: monday)
        #expect(imported.status == 0, "\(imported.stderr)")
        let approver = try SigningKey(in: cli.path(""), name: "vp_key", email: "vp@example.com")
        let stranger = try SigningKey(in: cli.path(""), name: "mallory_key", email: "mallory@example.com")
        try SigningKey.commitApprovers([approver], in: repo)
        try approver.use(in: repo, name: "Vera Platt")
        return (repo, approver, stranger)
    }

    static func head(_ cli: CLI, _ repo: String) throws -> String {
        try cli.git("rev-parse", "HEAD", in: repo).trimmingCharacters(in: .newlines)
    }

    /// A commit made by Git itself: `-S` signs with the configured key, `--no-gpg-sign` does not.
    static func gitCommit(_ cli: CLI, _ repo: String, _ message: String, signed: Bool) throws {
        _ = try cli.git("add", "-A", in: repo)
        _ = try cli.git("commit", "-q", signed ? "-S" : "--no-gpg-sign", "-m", message, in: repo)
    }

    /// Points main at a copy of commit `id` whose approval file says `until: 2026-11-26…`,
    /// keeping the original signature header: what someone who edits a signed commit makes.
    static func tamper(_ cli: CLI, _ repo: String, _ id: String, path: String) throws {
        let text = try String(contentsOfFile: repo + "/" + path, encoding: .utf8)
        let edited = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("until: ") ? "until: 2026-11-26T09:00:00Z" : String(line)
        }.joined(separator: "\n")
        try edited.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        _ = try cli.git("add", path, in: repo)
        let tree = try cli.git("write-tree", in: repo).trimmingCharacters(in: .newlines)
        let object = try cli.git("cat-file", "commit", id, in: repo).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("tree ") ? "tree \(tree)" : String(line)
        }.joined(separator: "\n")
        try object.write(toFile: cli.path("forged"), atomically: true, encoding: .utf8)
        let forged = try cli.git("hash-object", "-t", "commit", "-w", cli.path("forged"), in: repo).trimmingCharacters(in: .newlines)
        _ = try cli.git("update-ref", "refs/heads/main", forged, in: repo)
        _ = try cli.git("reset", "-q", "--hard", in: repo)
    }

    @Test func aSignedApprovalPassesAFullFreezeAndEveryForgeryIsRefusedWithItsReason() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, approver, stranger) = try Self.frozen(cli)
        let base = try Self.head(cli, repo)

        // Typing the approver's name is evidence of nothing.
        let typed = try cli.ops(Self.check + ["--approved-by", "VP Platform"], in: repo, environment: Self.monday)
        #expect(typed.status == 1)
        #expect(
            typed.stdout
                == "FROZEN: ops_copilot availability has used 103.8 % of its error budget; feature_freeze_all (at 100%) lets security_fix through only with a signed approval by VP Platform: they run ops release approve ops_copilot --change security_fix (--approved-by alone no longer passes a full freeze)\n"
        )

        // The approver approves, signing with their own key through Git's settings.
        let approved = try cli.ops(
            ["release", "approve", "ops_copilot", "--change", "Security fix", "--reason", "CVE-2026-1234 patch"], in: repo, environment: Self.monday)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(
            approved.stdout.hasPrefix("Approved security_fix releases of ops_copilot until 2026-11-24 10:00 Europe/Berlin: approvals/ops_copilot/A-20261123-"))
        #expect(approved.stdout.contains(", signed by vp@example.com (ED25519 key SHA256:"))
        let approval = try Self.head(cli, repo)
        // Git itself, with the same allowed_signers, says the commit is the approver's.
        #expect(try cli.git("log", "-1", "--format=%G? %GS", in: repo) == "G vp@example.com\n")
        let path = try cli.git("show", "--name-only", "--format=", "HEAD", in: repo).trimmingCharacters(in: .newlines)
        #expect(path.hasPrefix("approvals/ops_copilot/A-20261123-") && path.hasSuffix(".yaml"))
        let file = try String(contentsOfFile: repo + "/" + path, encoding: .utf8)
        #expect(file.contains("\nchange: security_fix\napproved_at: 2026-11-23T09:00:00Z\nuntil: 2026-11-24T09:00:00Z\nreason: CVE-2026-1234 patch\n"))

        // A pipeline's checkout of the commit (detached HEAD): allowed, and the approval is the record.
        _ = try cli.git("checkout", "-q", "--detach", in: repo)
        let detached = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(detached.status == 0 && detached.stderr.contains("HEAD is detached, so the exception is not recorded"), "\(detached.stderr)")
        #expect(try Self.head(cli, repo) == approval)
        _ = try cli.git("checkout", "-q", "main", in: repo)
        let allowed = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("and security_fix is an exception approved by vp@example.com (A-20261123-"))
        #expect(allowed.stderr.contains("Recorded the exception as decisions/"))
        #expect(try cli.ops(["verify"], in: repo).status == 0)

        // Expired: refused, with when.
        let late = try cli.ops(Self.check, in: repo, environment: ["OPS_NOW": "2026-11-24T09:00:01Z"])
        #expect(late.status == 1)
        #expect(late.stdout.hasSuffix("does not count: it expired at 2026-11-24 10:00 Europe/Berlin\n"), "\(late.stdout)")

        // Tampered: the signed commit edited to last longer keeps its signature header, which no longer matches.
        try Self.tamper(cli, repo, approval, path: path)
        let tampered = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("does not match its signature: it was changed after it was signed"), "\(tampered.stdout)")
        #expect(try cli.git("log", "-1", "--format=%G?", in: repo) == "B\n")

        // Edited afterwards in a commit of its own: that commit is what counts, and it is not signed.
        _ = try cli.git("reset", "-q", "--hard", approval, in: repo)
        try (file.replacingOccurrences(of: "until: 2026-11-24T09:00:00Z", with: "until: 2026-11-26T09:00:00Z")).write(
            toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Extend the approval", signed: false)
        let edited = try cli.ops(Self.check, in: repo, environment: ["OPS_NOW": "2026-11-25T09:00:00Z"])
        #expect(edited.status == 1 && edited.stdout.contains(", is not signed"), "\(edited.stdout)")

        // Unsigned from the start: written by hand and committed without a signature.
        _ = try cli.git("reset", "-q", "--hard", base, in: repo)
        try FileManager.default.createDirectory(atPath: repo + "/approvals/ops_copilot", withIntermediateDirectories: true)
        try file.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Approve security_fix", signed: false)
        let unsigned = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(unsigned.status == 1)
        #expect(unsigned.stdout.contains("does not count: its last change, commit "), "\(unsigned.stdout)")
        #expect(unsigned.stdout.hasSuffix(", is not signed\n"))

        // Signed with a key that is not an approver's: ops refuses to write it, and one made by hand does not count.
        _ = try cli.git("reset", "-q", "--hard", base, in: repo)
        try stranger.use(in: repo, name: "Mallory")
        let refused = try cli.ops(["release", "approve", "ops_copilot", "--change", "security_fix"], in: repo, environment: Self.monday)
        #expect(refused.status == 2 && refused.stdout == "")
        #expect(refused.stderr.contains("is not an approver's key in policies/allowed_signers, so this approval would not pass a freeze; nothing was written"))
        #expect(try Self.head(cli, repo) == base && cli.git("status", "--porcelain", in: repo) == "")
        try FileManager.default.createDirectory(atPath: repo + "/approvals/ops_copilot", withIntermediateDirectories: true)
        try file.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Approve security_fix", signed: true)
        let stranger1 = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(stranger1.status == 1)
        #expect(stranger1.stdout.contains("is signed with ED25519 key SHA256:"), "\(stranger1.stdout)")
        #expect(stranger1.stdout.hasSuffix(", which is not an approver's key in policies/allowed_signers\n"))

        // Signed by the approver's key, but for another use than Git commits (namespace `file`):
        // said as such, not as tampering.
        _ = try cli.git("reset", "-q", "--hard", approval, in: repo)
        var lines: [String] = []
        var inSignature = false
        for line in try cli.git("cat-file", "commit", approval, in: repo).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("gpgsig ") { inSignature = true } else if inSignature && line.hasPrefix(" ") { continue } else { inSignature = false }
            if !inSignature { lines.append(String(line)) }
        }
        let payload = lines.joined(separator: "\n")
        try payload.write(toFile: cli.path("payload"), atomically: true, encoding: .utf8)
        try SigningKey.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "file", "-f", approver.path, cli.path("payload")])
        let signature = try String(contentsOfFile: cli.path("payload.sig"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let header = "gpgsig " + signature.replacingOccurrences(of: "\n", with: "\n ")
        let blank = try #require(lines.firstIndex(of: ""))
        lines.insert(header, at: blank)
        try lines.joined(separator: "\n").write(toFile: cli.path("other-use"), atomically: true, encoding: .utf8)
        let otherUse = try cli.git("hash-object", "-t", "commit", "-w", cli.path("other-use"), in: repo).trimmingCharacters(in: .newlines)
        _ = try cli.git("update-ref", "refs/heads/main", otherUse, in: repo)
        let namespace = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(namespace.status == 1 && namespace.stdout.contains("a signature made for another use than Git commits"), "\(namespace.stdout)")
    }

    @Test func opsVerifyListsWhatDoesNotVerifyAndAgreesWithGit() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, approver, stranger) = try Self.frozen(cli)
        let base = try Self.head(cli, repo)
        // A good approval, a stranger's signed commit, an unsigned approval, and a signed commit altered afterwards.
        #expect(try cli.ops(["release", "approve", "ops_copilot", "--change", "security_fix"], in: repo, environment: Self.monday).status == 0)
        let good = try Self.head(cli, repo)
        try stranger.use(in: repo, name: "Mallory")
        try "x\n".write(toFile: repo + "/notes.txt", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "A note", signed: true)
        let foreign = try Self.head(cli, repo)
        let approvalText = try String(
            contentsOfFile: repo + "/" + (try cli.git("show", "--name-only", "--format=", good, in: repo)).trimmingCharacters(in: .newlines), encoding: .utf8)
        let handMade = repo + "/approvals/ops_copilot/A-20261123-0000HAND.yaml"
        try approvalText.replacingOccurrences(of: "change: security_fix", with: "change: sev-1 remediation").write(
            toFile: handMade, atomically: true, encoding: .utf8)
        try Self.fixID(handMade, "A-20261123-0000HAND")
        try Self.gitCommit(cli, repo, "Approve sev-1 remediation", signed: false)
        let unsigned = try Self.head(cli, repo)
        try approver.use(in: repo, name: "Vera Platt")
        try "y\n".write(toFile: repo + "/notes.txt", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Another note", signed: true)
        let signed = try Self.head(cli, repo)
        let object = try cli.git("cat-file", "commit", signed, in: repo).replacingOccurrences(of: "Another note", with: "Another note, altered")
        try object.write(toFile: cli.path("altered"), atomically: true, encoding: .utf8)
        let altered = try cli.git("hash-object", "-t", "commit", "-w", cli.path("altered"), in: repo).trimmingCharacters(in: .newlines)
        _ = try cli.git("update-ref", "refs/heads/main", altered, in: repo)

        let verify = try cli.ops(["verify", "--format", "json"], in: repo)
        #expect(verify.status == 1, "\(verify.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1 && json["verified"] as? Bool == false)
        #expect(json["allowed_signers"] as? [String] == ["policies/allowed_signers"])
        #expect(json["approvals"] as? Int == 2 && json["signed"] as? Int == 3)
        let problems = json["problems"] as! [[String: Any]]
        let listed = Dictionary(uniqueKeysWithValues: problems.map { ($0["commit"] as! String, $0["problem"] as! String) })
        #expect(Set(listed.keys) == [foreign, unsigned, altered])
        #expect(listed[foreign]?.hasPrefix("signed with ED25519 key SHA256:") == true)
        #expect(listed[foreign]?.hasSuffix(", which is not in policies/allowed_signers") == true)
        #expect(listed[unsigned] == "the approval A-20261123-0000HAND: its last change, commit \(unsigned.prefix(7)), is not signed")
        #expect(listed[altered] == "its signature does not match it: the commit was changed after it was signed")

        // Git, with the same allowed_signers, agrees on every signed commit: good where ops finds
        // nothing, not good where ops lists it.
        let git = try cli.git("log", "--format=%H %G?", in: repo).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let signedByGit = git.filter { $0[1] != "N" }
        #expect(Set(signedByGit.map { $0[0] }) == [good, foreign, altered])
        for commit in signedByGit {
            #expect((commit[1] == "G") == (listed[commit[0]] == nil), "\(commit)")
        }

        // A range: only what it adds.
        let range = try cli.ops(["verify", "\(base)..\(good)"], in: repo)
        #expect(
            range.status == 0 && range.stdout.hasSuffix(": 1 commit, 1 signed, 1 approval (checked against policies/allowed_signers): everything verifies.\n"))
        let table = try cli.ops(["verify", "\(good)..HEAD"], in: repo)
        #expect(table.status == 1 && table.stdout.hasSuffix(": 3 commits, 2 signed, 1 approval (checked against policies/allowed_signers): 3 do not verify.\n"))
        let nowhere = try cli.ops(["verify", "nosuch..HEAD"], in: repo)
        #expect(nowhere.status == 2 && nowhere.stderr.contains("'nosuch' names no commit in this repository"))
    }

    static func fixID(_ path: String, _ id: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("id: ") ? "id: \(id)" : String($0) }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func approvingIsRefusedWithNothingWrittenWhenItCouldNotCount() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        let approver = try SigningKey(in: cli.path(""), name: "vp_key", email: "vp@example.com")
        try approver.use(in: repo, name: "Vera Platt")
        let approve = ["release", "approve", "ops_copilot", "--change", "security_fix"]
        // Refused: exit 2, the message, and the repository as it was.
        func refused(_ extra: [String], _ message: String) throws {
            let before = try Self.head(cli, repo)
            let run = try cli.ops(approve + extra, in: repo, environment: Self.monday)
            #expect(run.status == 2 && run.stdout == "", "\(run.stdout)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(try Self.head(cli, repo) == before && cli.git("status", "--porcelain", in: repo) == "")
        }
        // ops init --example writes policies/allowed_signers with no key in it: nobody can approve yet.
        try refused([], "is not an approver's key in policies/allowed_signers, so this approval would not pass a freeze")
        _ = try cli.git("rm", "-q", "policies/allowed_signers", in: repo)
        _ = try cli.git("commit", "-q", "--no-gpg-sign", "-m", "No approvers", in: repo)
        try refused([], "policies/allowed_signers is not in the last commit. It lists the approvers' public keys")
        try SigningKey.commitApprovers([approver], in: repo)
        try refused(["--until", "2026-11-23T08:00:00Z"], "--until 2026-11-23T08:00:00Z is not in the future")
        try refused(["--until", "2026-12-01"], "an approval lasts at most 7 days")
        let wrong = try cli.ops(["release", "approve", "ops_copilot", "--change", "new_prompt"], in: repo, environment: Self.monday)
        #expect(wrong.status == 2 && wrong.stderr.contains("'new_prompt' is not a release exception in policies/ops_copilot.yaml"))
        _ = try cli.git("config", "--unset", "user.signingkey", in: repo)
        try refused([], "Git signs with SSH here (gpg.format ssh) but user.signingkey is not set")
        _ = try cli.git("config", "user.signingkey", cli.path("no_such_key"), in: repo)
        try refused([], "ssh-keygen could not sign with")
    }

    @Test func anApproverWhoSignsWithGPGIsCheckedAgainstTheArmoredKeysThePolicyNames() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, _, _) = try Self.frozen(cli)
        let gnupg = cli.path("gnupg")
        try FileManager.default.createDirectory(atPath: gnupg, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = Self.monday.merging(["GNUPGHOME": gnupg]) { $1 }
        defer { _ = try? SigningKey.run(["env", "GNUPGHOME=\(gnupg)", "gpgconf", "--kill", "gpg-agent"]) }
        func makeKey(_ uid: String) throws {
            try SigningKey.run([
                "env", "GNUPGHOME=\(gnupg)", "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign",
                "never",
            ])
        }
        try makeKey("Dave Schulz <dave@example.com>")
        try makeKey("Mallory <mallory@example.com>")
        // The policy names the approvers' armored OpenPGP keys; Dave's is the one exported there.
        let exported = try SigningKey.run(["env", "GNUPGHOME=\(gnupg)", "gpg", "--armor", "--export", "dave@example.com"])
        try exported.write(toFile: repo + "/policies/approvers.asc", atomically: true, encoding: .utf8)
        let policy = try String(contentsOfFile: repo + "/policies/ops_copilot.yaml", encoding: .utf8)
        try policy.replacingOccurrences(
            of: "  criteria: [\"security_fix\", \"sev-1 remediation\"]\n",
            with: "  criteria: [\"security_fix\", \"sev-1 remediation\"]\n  openpgp_keys: policies/approvers.asc\n"
        ).write(toFile: repo + "/policies/ops_copilot.yaml", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Dave approves with his OpenPGP key", signed: false)
        for (key, value) in [("gpg.format", "openpgp"), ("user.signingkey", "mallory@example.com")] {
            _ = try cli.git("config", key, value, in: repo)
        }
        let before = try Self.head(cli, repo)
        let approve = ["release", "approve", "ops_copilot", "--change", "security_fix"]

        let stranger = try cli.ops(approve, in: repo, environment: environment)
        #expect(stranger.status == 2 && stranger.stdout == "")
        #expect(stranger.stderr.contains("is not an approver's key in policies/allowed_signers or policies/approvers.asc"), "\(stranger.stderr)")
        #expect(try Self.head(cli, repo) == before)

        _ = try cli.git("config", "user.signingkey", "dave@example.com", in: repo)
        let approved = try cli.ops(approve, in: repo, environment: environment)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.contains(", signed by dave@example.com (OpenPGP key "), "\(approved.stdout)")
        #expect(try cli.git("cat-file", "commit", "HEAD", in: repo).contains("\ngpgsig -----BEGIN PGP SIGNATURE-----\n"))
        let allowed = try cli.ops(Self.check, in: repo, environment: environment)
        #expect(allowed.status == 0 && allowed.stdout.contains("is an exception approved by dave@example.com ("), "\(allowed.stdout)")
        let verify = try cli.ops(["verify"], in: repo, environment: environment)
        #expect(verify.status == 0 && verify.stdout.contains("1 signed, 1 approval"), "\(verify.stdout)")
    }

    /// What an approver could be tricked into signing, and what a revoked approval could come
    /// back through, found by an attack on the first version: each is refused with its reason.
    @Test func signedCommitsThatAreNotApprovalsAndRevokedApprovalsDoNotCount() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, _, _) = try Self.frozen(cli)
        let base = try Self.head(cli, repo)
        func frozenBecause(_ reason: String, at now: [String: String] = Self.monday) throws {
            let run = try cli.ops(Self.check, in: repo, environment: now)
            #expect(run.status == 1, "\(run.stdout)")
            #expect(run.stdout.contains(reason), "\(run.stdout)")
        }
        func handMade(_ id: String, approvedAt: String = "2026-11-23T08:00:00Z", until: String = "2026-11-24T08:00:00Z") throws -> String {
            let path = "approvals/ops_copilot/\(id).yaml"
            try FileManager.default.createDirectory(atPath: repo + "/approvals/ops_copilot", withIntermediateDirectories: true)
            try "id: \(id)\nuse_case: ops_copilot\nchange: security_fix\napproved_at: \(approvedAt)\nuntil: \(until)\n".write(
                toFile: repo + "/" + path, atomically: true, encoding: .utf8)
            return path
        }

        // Someone's pull request carries an approval beside a docs fix; the approver squash-merges it, signing.
        _ = try handMade("A-20261123-EEEEEEEE")
        try "fix\n".write(toFile: repo + "/fix.txt", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Squash: fix typo (#12)", signed: true)
        try frozenBecause("is not an approval of its own: ops release approve makes a commit that adds the approval and nothing else")
        #expect(try cli.ops(["verify"], in: repo).status == 1)

        // One written by hand to last for years, signed by the approver.
        _ = try cli.git("reset", "-q", "--hard", base, in: repo)
        _ = try handMade("A-20200101-EEEEEEEE", approvedAt: "2020-01-01T00:00:00Z", until: "2099-01-01T00:00:00Z")
        try Self.gitCommit(cli, repo, "Approve", signed: true)
        try frozenBecause("an approval lasts at most 7 days")

        // A real approval, revoked by deleting it, brought back by a merge of a branch that still had it.
        _ = try cli.git("reset", "-q", "--hard", base, in: repo)
        #expect(try cli.ops(["release", "approve", "ops_copilot", "--change", "security_fix"], in: repo, environment: Self.monday).status == 0)
        let approval = try Self.head(cli, repo)
        _ = try cli.git("rm", "-q", "-r", "approvals", in: repo)
        try Self.gitCommit(cli, repo, "Revoke the approval", signed: true)
        _ = try cli.git("checkout", "-q", "-b", "side", approval, in: repo)
        try "x\n".write(toFile: repo + "/note.txt", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Side work", signed: false)
        _ = try cli.git("checkout", "-q", "main", in: repo)
        _ = try cli.git("merge", "-q", "--no-commit", "side", in: repo)
        _ = try cli.git("checkout", "side", "--", "approvals", in: repo)
        try Self.gitCommit(cli, repo, "Merge branch side", signed: false)
        try frozenBecause(", is not signed")

        // Merged the ordinary way (an approval made on another clone), it counts.
        _ = try cli.git("reset", "-q", "--hard", base, in: repo)
        _ = try cli.git("checkout", "-q", "-b", "other", base, in: repo)
        #expect(try cli.ops(["release", "approve", "ops_copilot", "--change", "security_fix"], in: repo, environment: Self.monday).status == 0)
        _ = try cli.git("checkout", "-q", "main", in: repo)
        try "y\n".write(toFile: repo + "/note.txt", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Meanwhile on main", signed: false)
        _ = try cli.git("merge", "-q", "--no-edit", "--no-gpg-sign", "other", in: repo)
        #expect(try cli.ops(Self.check, in: repo, environment: Self.monday).status == 0)

        // An approval file that does not read holds up nothing: it is skipped, and said so.
        try "id: [broken\n".write(toFile: repo + "/approvals/ops_copilot/A-20261123-BROKEN00.yaml", atomically: true, encoding: .utf8)
        try Self.gitCommit(cli, repo, "Junk", signed: false)
        let despite = try cli.ops(Self.check, in: repo, environment: Self.monday)
        #expect(despite.status == 0 && despite.stderr.contains("approvals/ops_copilot/A-20261123-BROKEN00.yaml"), "\(despite.stderr)")
        #expect(despite.stderr.contains("(this approval is not read)"))

        // The keys are those the committed policy names: an uncommitted edit pointing elsewhere changes nothing.
        let policy = try String(contentsOfFile: repo + "/policies/ops_copilot.yaml", encoding: .utf8)
        try policy.replacingOccurrences(of: "  criteria:", with: "  allowed_signers: nowhere.txt\n  criteria:").write(
            toFile: repo + "/policies/ops_copilot.yaml", atomically: true, encoding: .utf8)
        #expect(try cli.ops(Self.check, in: repo, environment: Self.monday).status == 0)
        _ = try cli.git("checkout", "--", "policies/ops_copilot.yaml", in: repo)

        // A shallow clone that does not reach the approval's commit says what to fetch.
        let shallow = cli.path("shallow")
        _ = try cli.git("clone", "-q", "--depth", "1", "file://" + repo, shallow, in: cli.path(""))
        let cut = try cli.ops(Self.check, in: shallow, environment: Self.monday)
        #expect(cut.status == 3 && cut.stderr.contains("(a shallow clone)") && cut.stderr.contains("git fetch --unshallow"), "\(cut.stderr)")
    }
}
