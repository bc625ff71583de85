import Foundation
import SigningKeys
import Testing

@testable import OpsKit

@Suite struct ReleaseGateTests {
    static let notify = ["notify:#sre", "enable_aggressive_cache", "reduce_depth_k"]
    static let freeze = ["freeze_noncritical_releases", "route_to_smaller_model", "raise_exec_flag"]
    static let featureFreeze = ["feature_freeze_all", "postmortem_required", "CFO_cost_review"]

    /// The SLO fixture with one day of a million `useCase` availability events, `bad` of them
    /// bad: with the policies' 0.1 % budget, bad / 10 is the percent of the budget consumed.
    static func fixture(bad: Int, useCase: String = "ops_copilot") throws -> SLOFixture {
        let fixture = try SLOFixture()
        let csv = """
            window_start,window_end,use_case,sli,good,total
            2026-11-22T00:00:00Z,2026-11-23T00:00:00Z,\(useCase),availability,\(1_000_000 - bad),1000000

            """
        try fixture.importer.importCSV(SourceInput(name: "events.csv", data: Data(csv.utf8)), author: fixture.alice)
        return fixture
    }

    static func check(
        _ fixture: SLOFixture, _ useCase: String = "ops_copilot", change: String? = nil, approvedBy: String? = nil,
        as author: Author? = nil
    ) throws -> ReleaseVerdict {
        try ReleaseGate(fixture.workspace).check(ReleaseGate.Request(useCase: useCase, change: change, approvedBy: approvedBy)) {
            author ?? fixture.alice
        }
    }

    /// Approvers' keys (real ones, from ssh-keygen) committed in the fixture's allowed_signers,
    /// and Git set to sign with the first.
    @discardableResult
    static func approvers(_ fixture: SLOFixture, _ emails: [String] = ["vp@example.com"]) throws -> [SigningKey] {
        let folder = fixture.folder.path + "/.git/test-keys"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let keys = try emails.map { try SigningKey(in: folder, name: $0, email: $0) }
        try SigningKey.commitApprovers(keys, in: fixture.folder.path)
        try keys[0].use(in: fixture.folder.path, name: "Vera Platt")
        return keys
    }

    /// `ops release approve` by the person Git signs as.
    @discardableResult
    static func approve(_ fixture: SLOFixture, _ useCase: String = "ops_copilot", change: String, as key: SigningKey? = nil) throws
        -> ApprovalService.Approved
    {
        if let key { try key.use(in: fixture.folder.path, name: key.email) }
        return try ApprovalService(fixture.workspace).approve(
            useCase: useCase, change: change, until: nil, reason: nil, author: Author(handle: "", name: "Vera Platt", email: "vp@example.com"))
    }

    static func decisions(_ fixture: SLOFixture) throws -> [Decision] {
        try DecisionService(fixture.workspace).list().decisions
    }

    @Test(arguments: [
        (
            499, Int32(0), [String](), ReleaseFreeze.Scope.none,
            "ALLOWED: ops_copilot availability has used 49.9 % of its error budget; no release freeze before 75%"
        ),
        (
            500, 0, notify, .none,
            "ALLOWED: ops_copilot availability has used 50 % of its error budget; due from 50%: notify:#sre, enable_aggressive_cache, reduce_depth_k; no release freeze before 75%"
        ),
        (
            749, 0, notify, .none,
            "ALLOWED: ops_copilot availability has used 74.9 % of its error budget; due from 50%: notify:#sre, enable_aggressive_cache, reduce_depth_k; no release freeze before 75%"
        ),
        (
            750, 1, notify + freeze, .noncritical,
            "FROZEN: ops_copilot availability has used 75 % of its error budget; freeze_noncritical_releases (at 75%) lets through only security_fix or sev-1 remediation (--change)"
        ),
        (
            1000, 1, notify + freeze + featureFreeze, .all,
            "FROZEN: ops_copilot availability has used 100 % of its error budget; feature_freeze_all (at 100%) lets through only security_fix or sev-1 remediation with a signed approval by VP Platform (--change; ops release approve)"
        ),
        (
            1200, 1, notify + freeze + featureFreeze, .all,
            "FROZEN: ops_copilot availability has used 120 % of its error budget; feature_freeze_all (at 100%) lets through only security_fix or sev-1 remediation with a signed approval by VP Platform (--change; ops release approve)"
        ),
    ])
    func gateAt(bad: Int, exitCode: Int32, actions: [String], scope: ReleaseFreeze.Scope, reason: String) throws {
        // 49.9, 50, 74.9, 75, 100 and 120 % of the budget consumed.
        let fixture = try Self.fixture(bad: bad)
        defer { fixture.remove() }
        let commits = try fixture.commitCount()
        let verdict = try Self.check(fixture)
        #expect(verdict.exitCode == exitCode)
        #expect(verdict.allowed == (exitCode == 0))
        #expect(verdict.reason == reason)
        #expect(try verdict.render(.table) == reason + "\n")
        #expect(verdict.actions == actions)
        #expect(verdict.freeze.scope == scope)
        #expect(!verdict.exception && verdict.decision == nil)
        #expect(try fixture.commitCount() == commits)
    }

    @Test func aCriterionGoesThroughANonCriticalFreezeWithoutApprovalOrRecord() throws {
        let fixture = try Self.fixture(bad: 800)
        defer { fixture.remove() }
        let commits = try fixture.commitCount()
        // Case, spaces and dashes aside, the policy's spelling is kept.
        for change in ["Security fix", "SEV1 remediation"] {
            let verdict = try Self.check(fixture, change: change)
            #expect(verdict.allowed && verdict.exception)
            #expect(verdict.freeze.scope == .noncritical && verdict.freeze.action == "freeze_noncritical_releases")
            #expect(verdict.freeze.threshold == Decimal(string: "0.75")!)
            #expect(verdict.decision == nil)
        }
        let verdict = try Self.check(fixture, change: "security_fix")
        #expect(
            verdict.reason
                == "ALLOWED: ops_copilot availability has used 80 % of its error budget; freeze_noncritical_releases (at 75%) holds other releases, and security_fix is an exception"
        )
        #expect(try fixture.commitCount() == commits)
        #expect(try Self.decisions(fixture).isEmpty)
    }

    @Test func aSignedApprovalLetsAnExceptionThroughAFullFreezeAsOneAcceptedDecisionPerWeek() throws {
        let fixture = try Self.fixture(bad: 1000)
        defer { fixture.remove() }
        let keys = try Self.approvers(fixture, ["vp@example.com", "cto@example.com"])
        let approved = try Self.approve(fixture, change: "Security fix")
        #expect(approved.approver == "vp@example.com" && approved.approval.change == "security_fix")
        let commits = try fixture.commitCount()
        let verdict = try Self.check(fixture, change: "security_fix", as: fixture.base.bob)
        #expect(verdict.allowed && verdict.exception && verdict.exitCode == 0)
        let decision = try #require(verdict.decision)
        #expect(verdict.decisionIsNew && verdict.approvedBy == "vp@example.com" && verdict.approval?.approval.id == approved.approval.id)
        #expect(
            verdict.reason
                == "ALLOWED: ops_copilot availability has used 100 % of its error budget; feature_freeze_all (at 100%) holds every release, and security_fix is an exception approved by vp@example.com (\(approved.approval.id), signed, until 2026-11-24T09:00:00Z); recorded as \(decision.id)"
        )
        #expect(try fixture.commitCount() == commits + 1)
        #expect(decision.title == "Release exception: security_fix on ops_copilot")
        #expect(decision.status == "accepted")
        #expect(decision.tags == ["SLO"])
        #expect(decision.reviews == ["2026-W48"])
        let text = try #require(try fixture.workspace.committedText(decision.path))
        #expect(
            text.contains(
                "policies/ops_copilot.yaml calls for feature_freeze_all (at 100%), which holds every release except security_fix or sev-1 remediation approved by vp@example.com."
            ))
        #expect(
            text.contains(
                "\n\nApproved by: vp@example.com\n\nSigned approval: \(approved.approval.id) (\(approved.approval.path)), commit \(approved.commit.prefix(12))")
        )
        // Marked as what it is in its front matter: the weekly pack finds it by this, not by its title.
        #expect(decision.kind == Decision.releaseExceptionKind && decision.isReleaseException)
        #expect(text.contains("\nstatus: accepted\nkind: release_exception\ndate: "))

        // The same change, approver and week again: the record is found, nothing is written.
        fixture.base.clock.advance(minutes: 60)
        let again = try Self.check(fixture, change: "Security-Fix")
        #expect(again.allowed && again.decision?.id == decision.id && !again.decisionIsNew)
        #expect(again.reason.hasSuffix("; recorded already as \(decision.id)"))
        #expect(try fixture.commitCount() == commits + 1)
        // Its id is derived from use case, change, approver and week (dated the week's Monday),
        // so checks racing each other name one file; spelling aside, the same four give the same id.
        let zone = try fixture.workspace.config().timeZone
        let week = try #require(ISOWeek("2026-W48"))
        #expect(decision.id.hasPrefix("D-20261123-"))
        #expect(
            decision.id
                == ReleaseGate.exceptionID(useCase: "ops_copilot", criterion: "Security fix", approver: "VP@example.com", week: week, zone: zone).description)
        #expect(decision.id != ReleaseGate.exceptionID(useCase: "ops_copilot", criterion: "security_fix", approver: "CTO", week: week, zone: zone).description)
        #expect(
            decision.id
                != ReleaseGate.exceptionID(
                    useCase: "ops_copilot", criterion: "security_fix", approver: "vp@example.com",
                    week: week.adding(weeks: 1, zone: zone), zone: zone
                ).description)
        #expect(
            decision.id
                != ReleaseGate.exceptionID(useCase: "fraud_scoring", criterion: "security_fix", approver: "vp@example.com", week: week, zone: zone).description)
        // Written again with that id (a check that lost the race): the record is found, not doubled.
        let raced = try DecisionService(fixture.workspace).createOnce(
            .init(title: "Release exception: security_fix on ops_copilot"),
            id: try #require(DocumentID(decision.id, kind: "D")), author: fixture.base.bob)
        #expect(!raced.created && raced.decision.id == decision.id && raced.decision.path == decision.path)
        #expect(try fixture.commitCount() == commits + 1)

        // Another criterion needs its own approval; another approver or the next week is another exception.
        let unapproved = try Self.check(fixture, change: "sev-1 remediation")
        #expect(!unapproved.allowed && unapproved.decision == nil)
        try Self.approve(fixture, change: "sev-1 remediation")
        let other = try Self.check(fixture, change: "sev-1 remediation")
        #expect(other.decisionIsNew && other.decision?.title == "Release exception: sev-1 remediation on ops_copilot")
        fixture.base.clock.advance(minutes: 1)
        try Self.approve(fixture, change: "security_fix", as: keys[1])
        let newApprover = try Self.check(fixture, change: "security_fix")
        #expect(newApprover.approvedBy == "cto@example.com" && newApprover.decisionIsNew && newApprover.decision?.title == decision.title)
        fixture.base.clock.set("2026-11-30T09:00:00Z")
        let expired = try Self.check(fixture, change: "security_fix")
        #expect(!expired.allowed && expired.reason.contains("does not count: it expired at 2026-11-24 "))
        try Self.approve(fixture, change: "security_fix", as: keys[0])
        let nextWeek = try Self.check(fixture, change: "security_fix")
        #expect(nextWeek.decisionIsNew && nextWeek.decision?.reviews == ["2026-W49"])
        #expect(try fixture.commitCount() == commits + 7)
        #expect(try Self.decisions(fixture).filter { $0.status == "accepted" }.count == 4)
    }

    @Test func theSignerIsTheDeciderWhenOpsYamlKnowsTheirEmail() throws {
        // fraud_scoring's approver is "Head of SRE": alice in ops.yaml, who signs with her key.
        let fixture = try Self.fixture(bad: 1200, useCase: "fraud_scoring")
        defer { fixture.remove() }
        try Self.approvers(fixture, [fixture.alice.email])
        try Self.approve(fixture, "fraud_scoring", change: "fraud_rule_hotfix")
        let verdict = try Self.check(fixture, "fraud_scoring", change: "fraud_rule_hotfix", as: fixture.base.bob)
        #expect(verdict.allowed && verdict.approvedBy == fixture.alice.email)
        #expect(verdict.decision?.deciders == ["alice"])
        #expect(verdict.decision?.title == "Release exception: fraud_rule_hotfix on fraud_scoring")
    }

    @Test func anUnapprovedExceptionToAFullFreezeIsFrozenAndWritesNothing() throws {
        let fixture = try Self.fixture(bad: 1200)
        defer { fixture.remove() }
        let commits = try fixture.commitCount()
        let verdict = try Self.check(fixture, change: "security_fix")
        #expect(!verdict.allowed && verdict.exitCode == 1 && !verdict.exception)
        #expect(
            verdict.reason
                == "FROZEN: ops_copilot availability has used 120 % of its error budget; feature_freeze_all (at 100%) lets security_fix through only with a signed approval by VP Platform: they run ops release approve ops_copilot --change security_fix"
        )
        #expect(verdict.decision == nil)
        try expectRefused(fixture, ["'Bob Okafor' is not the approver of release exceptions in policies/ops_copilot.yaml: VP Platform is"]) {
            _ = try Self.check(fixture, change: "security_fix", approvedBy: "Bob Okafor")
        }
        #expect(try fixture.commitCount() == commits)
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path + "/decisions"))
        #expect(try Self.decisions(fixture).isEmpty)
    }

    @Test func badInputIsOneLineExitTwoWhateverTheBudget() throws {
        let fixture = try Self.fixture(bad: 100)
        defer { fixture.remove() }
        try expectRefused(fixture, ["unknown use case 'checkout'", "ops_copilot, fraud_scoring, search_ranking"]) {
            _ = try Self.check(fixture, "checkout")
        }
        try expectRefused(fixture, ["'new_prompt' is not a release exception in policies/ops_copilot.yaml (criteria: security_fix, sev-1 remediation)"]) {
            _ = try Self.check(fixture, change: "new_prompt")
        }
        try expectRefused(fixture, ["not the approver", "VP Platform is"]) {
            _ = try Self.check(fixture, change: "security_fix", approvedBy: "CTO")
        }
        try expectRefused(fixture, ["--approved-by approves an exception: name it with --change"]) {
            _ = try Self.check(fixture, approvedBy: "VP Platform")
        }
        try FileManager.default.removeItem(atPath: fixture.folder.path + "/policies/search_ranking.yaml")
        try expectRefused(fixture, ["search_ranking has no error-budget policy (policies/search_ranking.yaml)"]) {
            _ = try Self.check(fixture, "search_ranking")
        }
    }

    @Test func withNoImportedEventsTheGateSaysSoAndAllows() throws {
        // fraud_scoring has one SLI; ops_copilot's two are in ReleaseGateSLITests.
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let verdict = try Self.check(fixture, "fraud_scoring", change: "security_fix")
        #expect(verdict.allowed && verdict.consumed == nil && verdict.freeze.scope == .none)
        #expect(
            verdict.reason
                == "ALLOWED: no imported events for fraud_scoring availability in its rolling_30d window, so its budget cannot be judged and nothing is frozen; import them (ops slo import) for the gate to enforce policies/fraud_scoring.yaml"
        )
    }

    @Test func theJSONVerdictIsVersionedAndComplete() throws {
        let fixture = try Self.fixture(bad: 1000)
        defer { fixture.remove() }
        let json = try JSONSerialization.jsonObject(with: Data(Self.check(fixture).render(.json).utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["verdict"] as? String == "frozen" && json["allowed"] as? Bool == false)
        #expect((json["freeze"] as! [String: Any])["scope"] as? String == "all")
        #expect((json["freeze"] as! [String: Any])["action"] as? String == "feature_freeze_all")
        #expect((json["thresholds_crossed"] as! [[String: Any]]).count == 3)
        #expect(json["decision"] is NSNull && json["change"] is NSNull)
        #expect((json["budget_consumed"] as! NSNumber).doubleValue == 1)
    }
}
