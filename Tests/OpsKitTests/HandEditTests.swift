import Foundation
import Testing
import Yams

@testable import OpsKit

/// What people write by hand survives what ops changes next to it.
@Suite struct HandEditTests {
    @Test func aCommentAtTheEndOfAFieldStaysWhenOpsChangesTheValue() throws {
        var yaml = try YAMLText("status: open  # agreed at the W40 review\nchannel: \"#sre # oncall\"\n", path: "x.yaml")
        try yaml.set("status", Node("resolved"))
        try yaml.set("channel", .text("#data"))
        #expect(yaml.text == "status: resolved  # agreed at the W40 review\nchannel: '#data'\n")
    }

    @Test func checklistLinesKeepTheirBulletAndNotesWhenTickedUntickedOrSkipped() throws {
        let skipped = "* [ ] ~~`mitigation.3` Enable the fallback~~ (skipped: none) -- bob agreed"
        #expect(try AttachedRunbook.edited(skipped, checked: true, skipReason: nil) == "* [x] `mitigation.3` Enable the fallback -- bob agreed")
        let plain = "  - [ ] `detection.1` p99 above 1.2 s -- seen at 14:02"
        #expect(
            try AttachedRunbook.edited(plain, checked: false, skipReason: "not paged")
                == "  - [ ] ~~`detection.1` p99 above 1.2 s -- seen at 14:02~~ (skipped: not paged)")
    }

    @Test func backlogLinksAreFoundWhereverTheyStandAndTickingTouchesOnlyTheBox() {
        #expect(BacklogService.linkedID("- [ ] Add a canary @alice due:2026-12-01 (BL-20261120-9ME2M7MX) — blocked on infra") == "BL-20261120-9ME2M7MX")
        #expect(BacklogService.linkedID("- [ ] Add a canary (see BL notes)") == nil)
        #expect(
            BacklogService.ticking("+ [ ] Document the \"- [ ] box\" format @carol (BL-20261120-9ME2M7MX)")
                == "+ [x] Document the \"- [ ] box\" format @carol (BL-20261120-9ME2M7MX)")
        #expect(BacklogService.ticking("- [x] already done") == nil)
    }

    @Test func aBrokenWorkstreamDoesNotBlockChangingAnotherAndACopiedDecisionDoesNotCrash() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let broken = try ops.folder.read("raci.yaml").replacingOccurrences(of: "A: COO,", with: "A: [COO, CTO],")
        try ops.folder.write("raci.yaml", broken)
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "two bosses")
        _ = try RACIService(ops.workspace).set("Error budgets", role: "C", to: ["PM"], author: ops.alice)
        #expect(try RACIService(ops.workspace).matrix().workstream("Error budgets").consulted == ["PM"])

        let decision = try DecisionService(ops.workspace).create(.init(title: "Keep two regions"), author: ops.alice)
        try FileManager.default.copyItem(
            atPath: ops.folder.path + "/" + decision.path,
            toPath: ops.folder.path + "/decisions/\(decision.id)-copy.md")
        _ = try git(ops.folder.path, "add", "-A")
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qm", "copy")
        // Two files with one id: an error that names both, never a crash.
        #expect(throws: OpsError.self) { try DecisionService(ops.workspace).show(decision.id) }
        #expect(try DecisionService(ops.workspace).list().decisions.count == 2)
    }
}
