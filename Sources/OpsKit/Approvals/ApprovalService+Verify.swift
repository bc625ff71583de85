public import Foundation
internal import GitStore

extension ApprovalService {
    /// What `ops verify` found in a range of history.
    public struct Verification: Sendable {
        /// A commit whose signature, or whose approval, does not verify.
        public struct Finding: Sendable, Equatable {
            public var commit: String
            public var date: Date
            public var author: String
            public var subject: String
            /// The approval the commit brought, when it brought one.
            public var approval: String?
            public var problem: String
        }

        public var range: String
        /// The `allowed_signers` files the signatures were checked against, as committed at the tip.
        public var signers: [String]
        public var commits = 0
        public var signed = 0
        public var approvals = 0
        /// Signatures and approvals that do not verify, newest first.
        public var problems: [Finding] = []
        /// Signatures of a kind `allowed_signers` cannot check (OpenPGP, X.509): listed, not failed.
        public var unchecked: [Finding] = []

        public var verified: Bool { problems.isEmpty }
    }

    /// Checks every signed commit in `range` (`A..B`, or everything reachable from one revision;
    /// HEAD when nil) against the approvers' keys (every policy's `allowed_signers`, as committed
    /// at the range's tip), and every approval whose last change is in the range as
    /// `ops release check` would, expiry aside. Unsigned commits that bring no approval are fine.
    public func verify(_ range: String?) throws -> Verification {
        let repository = workspace.repository
        let text = range.flatMap { $0.isEmpty ? nil : $0 } ?? "HEAD"
        let parts = text.components(separatedBy: "..")
        guard parts.count <= 2, !text.contains("...") else {
            throw OpsError.input("'\(IncidentService.printable(text))' is not a range ops reads. Give A..B (origin/main..HEAD) or one revision")
        }
        func commit(_ revision: String) throws -> ObjectID {
            guard let id = try repository.resolveCommit(revision.isEmpty ? "HEAD" : revision) else {
                throw OpsError.input(
                    "'\(IncidentService.printable(revision))' names no commit in this repository. Give a branch, a tag or a commit id (git log --oneline)")
            }
            return id
        }
        do {
            let tip = try commit(parts.count == 2 ? parts[1] : parts[0])
            let hidden = parts.count == 2 ? try commit(parts[0]) : nil
            // The policies as committed at the tip: which keys they trust is never an uncommitted edit.
            let policies = try repository.files(under: ErrorBudgetPolicy.folder, at: tip).filter { $0.path.hasSuffix(".yaml") || $0.path.hasSuffix(".yml") }
                .map { file in try ErrorBudgetPolicy.load(try UTF8Text.decode(try repository.blob(file.blob), path: file.path), path: file.path) }
            let exceptions = policies.compactMap(\.freezeExceptions)
            let keys = try ApproverKeys.read(
                allowedSigners: Array(Set(exceptions.map(\.signersPath) + [ErrorBudgetPolicy.defaultSignersPath])).sorted(),
                openPGP: Array(Set(exceptions.compactMap(\.openPGPKeys))).sorted(), at: tip, from: repository)
            var report = Verification(range: text, signers: keys.present)
            let named = keys.present.isEmpty ? ErrorBudgetPolicy.defaultSignersPath : keys.present.joined(separator: ", ")
            let history = try repository.commits(from: tip, hiding: hidden)
            let inRange = Set(history.map(\.id.hex))
            report.commits = history.count

            // Approvals first: their commits are judged as the release gate judges them.
            var judged: [String: Verification.Finding?] = [:]
            let approvalFiles = try repository.files(under: ReleaseApproval.folder, at: tip).filter { $0.path.hasSuffix(".yaml") }
            for file in approvalFiles {
                guard let last = try repository.commitIntroducing(file.path, blob: file.blob, from: tip),
                    inRange.contains(last.hex)
                else { continue }
                report.approvals += 1
                let info = try repository.commitInfo(last)
                // Filed under approvals/<use_case>/: the folder says whose policy judges it.
                let useCase = file.path.split(separator: "/").dropFirst().first.map(String.init) ?? ""
                let approval: ReleaseApproval
                do {
                    approval = try ReleaseApproval.parse(try UTF8Text.decode(try repository.blob(file.blob), path: file.path), path: file.path)
                } catch {
                    judged[last.hex] = Self.finding(info, approval: file.path, problem: "\(OpsError.from(error).message) (an approval that does not read)")
                    continue
                }
                let policy = policies.first { $0.useCase == useCase }
                let policyKeys =
                    try policy.map { try ApproverKeys.of($0, at: tip, from: repository) }
                    ?? ApproverKeys.read(allowedSigners: [ErrorBudgetPolicy.defaultSignersPath], openPGP: [], at: tip, from: repository)
                let checked = try judge(file, approval, useCase: useCase, keys: policyKeys, at: nil, head: tip)
                guard let problem = checked.problem else {
                    judged[last.hex] = .some(nil)
                    continue
                }
                judged[last.hex] = Self.finding(info, approval: approval.id.description, problem: "the approval \(approval.id): \(problem)")
            }
            for info in history {
                if let approvalFinding = judged[info.id.hex] {
                    if try repository.signature(of: info.id) != nil { report.signed += 1 }
                    if let finding = approvalFinding { report.problems.append(finding) }
                    continue
                }
                let check = try self.check(info.id, keys: keys)
                switch check {
                case .unsigned: continue
                case .good: report.signed += 1
                case .notChecked(let kind):
                    report.signed += 1
                    report.unchecked.append(Self.finding(info, problem: "\(kind) signature: not checked (no \(kind) key is committed: \(named))"))
                case .unknownKey(let key):
                    report.signed += 1
                    report.problems.append(Self.finding(info, problem: "signed with \(key), which is not in \(named)"))
                case .otherNamespace:
                    report.signed += 1
                    report.problems.append(Self.finding(info, problem: "its signature was made for another use than Git commits (namespace not git)"))
                case .bad:
                    report.signed += 1
                    report.problems.append(Self.finding(info, problem: "its signature does not match it: the commit was changed after it was signed"))
                }
            }
            report.problems.sort { $0.date > $1.date }
            return report
        } catch let error as OpsError {
            throw error
        } catch let error as GitError where repository.isShallow {
            // A walk past where a shallow clone's history ends.
            throw OpsError.repository(
                "this clone is shallow, and \(text) reaches past where its history ends (\(error)). Fetch the whole history (git fetch --unshallow), or clone without --depth"
            )
        } catch {
            throw OpsError.from(error)
        }
    }

    private static func finding(_ info: CommitInfo, approval: String? = nil, problem: String) -> Verification.Finding {
        Verification.Finding(
            commit: info.id.hex, date: info.author.date, author: info.author.name, subject: IncidentService.printable(info.subject),
            approval: approval, problem: problem)
    }
}
