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
        let keys = try approverKeys(useCase, policy)
        guard !keys.present.isEmpty else {
            throw OpsError.input(
                "\(keys.described) is not in the last commit. It lists the approvers' public keys, one line each (vp@example.com namespaces=\"git\" ssh-ed25519 AAAA…): commit it in a reviewed change first"
            )
        }
        let now = workspace.clock()
        let end =
            try until.map { text in
                do {
                    return try TimeInput.parse(text, now: now, zone: config.timeZone, allowFuture: true)
                } catch let error as OpsError {
                    throw OpsError.input("--until \(error.detail)")
                }
            } ?? now + ReleaseApproval.usual
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
        case .bad, .unsigned, .otherNamespace:
            return "the signature the signing program made does not match the commit; nothing was written. Check gpg.ssh.program"
        }
    }

    /// The approvers' keys the policy of `useCase` trusts, both as committed at HEAD (`policy`,
    /// read from the work tree, only when none is committed yet).
    func approverKeys(_ useCase: String, _ policy: ErrorBudgetPolicy) throws -> ApproverKeys {
        try OpsError.wrapping {
            let repository = workspace.repository
            let head = try repository.head().commit
            let committed = try head.flatMap { try Self.committedPolicy(of: useCase, at: $0, in: repository) }
            return try ApproverKeys.of(committed ?? policy, at: head, from: repository)
        }
    }

    // MARK: Checking approvals

    /// What the committed approvals of a criterion come to at a moment.
    struct Search {
        /// The newest approval that holds.
        var valid: CheckedApproval?
        /// Without one: the newest approval of the criterion, and why it does not count.
        var refused: CheckedApproval?
        /// Approval files that do not read, each with where and why: skipped, so that one bad
        /// file cannot hold up every exception.
        var unreadable: [String] = []
    }

    /// The committed approvals of `criterion` for `useCase`, newest first, until one holds at `now`.
    func search(useCase: String, criterion: String, policy: ErrorBudgetPolicy, at now: Date) throws -> Search {
        try OpsError.wrapping {
            guard let head = try workspace.repository.head().commit else { return Search() }
            let keys = try ApproverKeys.of(
                try Self.committedPolicy(of: useCase, at: head, in: workspace.repository) ?? policy, at: head, from: workspace.repository)
            var search = Search()
            var candidates: [(file: TreeFile, approval: ReleaseApproval)] = []
            for file in try workspace.committedFiles(under: "\(ReleaseApproval.folder)/\(useCase)") where file.path.hasSuffix(".yaml") {
                do {
                    let approval = try ReleaseApproval.parse(try workspace.text(of: file), path: file.path)
                    if ReleaseGate.criterionKey(approval.change) == ReleaseGate.criterionKey(criterion) { candidates.append((file, approval)) }
                } catch {
                    search.unreadable.append(OpsError.from(error).message)
                }
            }
            candidates.sort { ($0.approval.approvedAt, $0.approval.id) > ($1.approval.approvedAt, $1.approval.id) }
            for (file, approval) in candidates {
                let checked = try judge(file, approval, useCase: useCase, keys: keys, at: now, head: head)
                if checked.problem == nil {
                    search.valid = checked
                    search.refused = nil
                    return search
                }
                if search.refused == nil { search.refused = checked }
            }
            return search
        }
    }

    /// How far `approved_at` may be from the time its commit was made: clocks differ a little.
    static let clockSkew: TimeInterval = 600

    /// One approval judged, the cheap checks first: its place and id, how long it lasts, whether
    /// it holds at `now` (nil: expiry aside, for `ops verify`); then the commit that last changed
    /// it: signed, by an approver's key (at the commit's time, as Git judges a key's validity),
    /// made by `ops release approve` and changing nothing but this file, at the time it says.
    func judge(_ file: TreeFile, _ approval: ReleaseApproval, useCase: String, keys: ApproverKeys, at now: Date?, head: ObjectID) throws
        -> CheckedApproval
    {
        let repository = workspace.repository
        let zone = try workspace.config().timeZone
        func time(_ date: Date) -> String { LocalTime.formatWithZone(date, zone: zone) }
        guard let last = try repository.commitIntroducing(file.path, blob: file.blob, from: head) else {
            throw OpsError.repository("\(file.path) is in the last commit but no commit brought it there")
        }
        var checked = CheckedApproval(approval: approval, commit: last.hex, signature: .unsigned, problem: nil)
        let short = String(last.hex.prefix(7))
        let name = (file.path as NSString).lastPathComponent
        if approval.useCase != useCase {
            checked.problem = "it approves \(approval.useCase) but is filed under \(useCase)"
        } else if name != "\(approval.id).yaml" {
            checked.problem = "its id is \(approval.id) but its file is \(name)"
        } else if approval.until <= approval.approvedAt || approval.until.timeIntervalSince(approval.approvedAt) > ReleaseApproval.longest + 60 {
            checked.problem = "it lasts from \(time(approval.approvedAt)) until \(time(approval.until)); an approval lasts at most 7 days"
        } else if let now, approval.until <= now {
            checked.problem = "it expired at \(time(approval.until))"
        } else if let now, approval.approvedAt > now + Self.clockSkew {
            checked.problem = "it starts at \(time(approval.approvedAt))"
        } else if try repository.signature(of: last) == nil {
            checked.problem = SignatureCheck.unsigned.problem(commit: short, keys: keys.described)
        }
        guard checked.problem == nil else { return checked }
        let info = try repository.commitInfo(last)
        checked.signature = try SignatureCheck.check(
            repository.signature(of: last), keys: keys, at: info.committed, environment: workspace.environment)
        if let problem = checked.signature.problem(commit: short, keys: keys.described) {
            checked.problem = problem
        } else if try !Self.isApprovalCommit(info, of: approval, path: file.path, in: repository) {
            checked.problem =
                "its last change, commit \(short), is not an approval of its own: ops release approve makes a commit that adds the approval and nothing else"
        } else if abs(info.committed.timeIntervalSince(approval.approvedAt)) > Self.clockSkew {
            checked.problem =
                "its last change, commit \(short), was made at \(time(info.committed)), not when it says it was approved (\(time(approval.approvedAt)))"
        }
        return checked
    }

    /// Whether `info` is what `ops release approve` commits for `approval`: its action and id in
    /// the trailers, and the approval's file the only change.
    private static func isApprovalCommit(_ info: CommitInfo, of approval: ReleaseApproval, path: String, in repository: GitRepository) throws -> Bool {
        guard info.trailer("Ops-Action") == "release-approve",
            info.trailers.contains(where: { $0.key == "Ops-Id" && $0.value == approval.id.description })
        else { return false }
        return try repository.pathsChanged(by: info.id) == [path]
    }

    /// The policy of `useCase` as committed at `commit`: which keys it trusts is read from there,
    /// never from an uncommitted edit. Nil when none is committed.
    static func committedPolicy(of useCase: String, at commit: ObjectID, in repository: GitRepository) throws -> ErrorBudgetPolicy? {
        for path in [ErrorBudgetPolicy.path(for: useCase), "\(ErrorBudgetPolicy.folder)/\(useCase).yml"] {
            guard let data = try repository.readFile(path, at: commit) else { continue }
            return try ErrorBudgetPolicy.load(try UTF8Text.decode(data, path: path), path: path)
        }
        return nil
    }

    /// What the signature of `commit` proves against `keys`, at the commit's time.
    func check(_ commit: ObjectID, keys: ApproverKeys) throws -> SignatureCheck {
        let info = try workspace.repository.commitInfo(commit)
        return try SignatureCheck.check(workspace.repository.signature(of: commit), keys: keys, at: info.committed, environment: workspace.environment)
    }
}
