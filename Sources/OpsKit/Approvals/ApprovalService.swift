import Foundation
internal import GitStore

/// `ops release approve` and `ops verify`: approvals of release exceptions that cannot be
/// forged, and the check of every signature in a range of history. An approval is a file
/// (`ReleaseApproval`) brought in by a commit signed with the approver's own key, through Git's
/// own signing settings; it counts only while that commit's signature verifies against a key in
/// the policy's `allowed_signers` as committed, and until it expires.
public struct ApprovalService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// An approval committed and signed.
    public struct Approved: Sendable {
        public var approval: ReleaseApproval
        public var commit: String
        /// The `allowed_signers` name of the key that signed, and the key.
        public var approver: String
        public var key: String
    }

    /// Writes an approval of `change` releases of `useCase` as one commit signed with the user's
    /// Git signing key. Refused, with nothing written, when the key is not an approver's in the
    /// policy's committed `allowed_signers`: such an approval would not pass a freeze.
    public func approve(useCase: String, change: String, until: String?, reason: String?, author: Author) throws -> Approved {
        let config = try workspace.config()
        let policy = try ReleaseGate.policy(of: useCase, in: workspace)
        let criterion = try ReleaseGate.criterion(change, in: policy)
        let keys = try approverKeys(policy)
        guard !keys.present.isEmpty else {
            throw OpsError.input(
                "\(keys.described) is not in the last commit. It lists the approvers' public keys, one line each (vp@example.com namespaces=\"git\" ssh-ed25519 AAAA…): commit it in a reviewed change first"
            )
        }
        let now = workspace.clock()
        let end = try until.map { try TimeInput.parse($0, now: now, zone: config.timeZone, allowFuture: true) } ?? now + ReleaseApproval.usual
        guard end > now else {
            throw OpsError.input("--until \(IncidentService.printable(until ?? "")) is not in the future: an approval lasts from now until then")
        }
        guard end <= now + ReleaseApproval.longest else {
            throw OpsError.input(
                "an approval lasts at most 7 days (until \(LocalTime.formatWithZone(now + ReleaseApproval.longest, zone: config.timeZone))); approve again when it runs out"
            )
        }
        let signer = try CommitSigner.configured(in: workspace, committer: author)
        let approval = ReleaseApproval(
            id: workspace.makeID(kind: "A", at: now), useCase: useCase, change: criterion, approvedAt: now, until: end,
            reason: reason.map(IncidentService.printable))
        let text = try approval.text()
        var signed: SignatureCheck = .unsigned
        let commit = try workspace.commit(
            action: "release-approve", id: approval.id.description,
            subject: "Approve \(criterion) releases of \(useCase) until \(LocalTime.formatWithZone(end, zone: config.timeZone))",
            author: author,
            sign: { payload in
                let signature = try signer.sign(payload)
                signed = try SignatureCheck.check(
                    CommitSignature(signature: Data(signature.utf8), signedData: payload), keys: keys, at: now, environment: workspace.environment)
                if let problem = Self.refusal(signed, keys: keys.described) { throw OpsError.input(problem) }
                return signature
            }
        ) { _ in [.write(approval.path, text)] }
        guard let commit, case .good(let principal, let key) = signed else {
            throw OpsError.repository("the approval \(approval.id) was not committed")
        }
        return Approved(approval: approval, commit: commit.hex, approver: principal, key: key)
    }

    /// Why a signature just made cannot approve anything; nil when it can.
    private static func refusal(_ check: SignatureCheck, keys: String) -> String? {
        switch check {
        case .good: return nil
        case .unknownKey(let key):
            return
                "the key that signed (\(key)) is not an approver's key in \(keys), so this approval would not pass a freeze; nothing was written. An approver's key is added to that file in a reviewed change"
        case .notChecked(let kind):
            return
                "Git signs with \(kind) here, and the policy names no approver's key of that kind (\(keys)); nothing was written. Sign with SSH (git config gpg.format ssh, git config user.signingkey ~/.ssh/id_ed25519.pub), or name the approvers' OpenPGP keys in the policy (freeze_release_exceptions.openpgp_keys)"
        case .bad, .unsigned:
            return "the signature the signing program made does not match the commit; nothing was written. Check gpg.ssh.program"
        }
    }

    /// The approvers' keys a policy trusts, as committed at HEAD.
    func approverKeys(_ policy: ErrorBudgetPolicy) throws -> ApproverKeys {
        do {
            return try ApproverKeys.of(policy, at: nil, from: workspace.repository)
        } catch let error as OpsError {
            throw error
        } catch {
            throw OpsError.from(error)
        }
    }

    // MARK: Checking approvals

    /// The committed approvals of `useCase` (of `criterion` only, when given), newest first, each
    /// judged at `now`: its signature against the policy's committed `allowed_signers`, then its
    /// time. A file changed after its signed commit is judged by the commit that changed it last.
    func checked(useCase: String, criterion: String?, policy: ErrorBudgetPolicy, at now: Date) throws -> [CheckedApproval] {
        let keys = try approverKeys(policy)
        var result: [CheckedApproval] = []
        for file in try workspace.committedFiles(under: "\(ReleaseApproval.folder)/\(useCase)") where file.path.hasSuffix(".yaml") {
            let approval = try ReleaseApproval.parse(try workspace.text(of: file), path: file.path)
            if let criterion, ReleaseGate.criterionKey(approval.change) != ReleaseGate.criterionKey(criterion) { continue }
            let (commit, signature) = try lastChange(of: file, keys: keys)
            let short = String(commit.prefix(7))
            var problem = signature.problem(commit: short, keys: keys.described)
            let zone = try workspace.config().timeZone
            if problem == nil, approval.useCase != useCase {
                problem = "it approves \(approval.useCase) but is filed under \(useCase)"
            } else if problem == nil, approval.until <= now {
                problem = "it expired at \(LocalTime.formatWithZone(approval.until, zone: zone))"
            } else if problem == nil, approval.approvedAt > now {
                problem = "it starts at \(LocalTime.formatWithZone(approval.approvedAt, zone: zone))"
            }
            result.append(CheckedApproval(approval: approval, commit: commit, signature: signature, problem: problem))
        }
        return result.sorted { ($0.approval.approvedAt, $0.approval.id) > ($1.approval.approvedAt, $1.approval.id) }
    }

    /// The commit that last changed an approval file, and what its signature proves.
    private func lastChange(of file: TreeFile, keys: ApproverKeys) throws -> (commit: String, check: SignatureCheck) {
        let repository = workspace.repository
        do {
            guard let head = try repository.head().commit, let commit = try repository.commitIntroducing(file.path, blob: file.blob, from: head)
            else { throw OpsError.repository("\(file.path) is in the last commit but no commit brought it there") }
            return (commit.hex, try check(commit, keys: keys))
        } catch let error as OpsError {
            throw error
        } catch {
            throw OpsError.from(error)
        }
    }

    /// What the signature of `commit` proves against `keys`, at the commit's time.
    func check(_ commit: ObjectID, keys: ApproverKeys) throws -> SignatureCheck {
        let info = try workspace.repository.commitInfo(commit)
        return try SignatureCheck.check(
            workspace.repository.signature(of: commit), keys: keys, at: info.author.date, environment: workspace.environment)
    }
}
