import Foundation
import Testing

@testable import OpsKit

@Suite struct RACIWhoTests {
    /// Issue 15: `ops raci who` named titles and teams, never the people behind them.
    @Test func aWorkstreamNamesThePeopleBehindEachTitleAndTeam() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let matrix = try RACIService(ops.workspace).matrix()
        let config = try ops.workspace.config()
        #expect(
            try RACIWho.answer("ops review", matrix: matrix, config: config).text == """
                Ops Review
                Responsible  SRE Lead: Bob Okafor (bob)
                Accountable  COO: Ines Duarte (ines)
                Consulted    PM: Grace Lee (grace); FinOps: Erin Walsh (erin); CISO: Jonas Weber (jonas)
                Informed     Org

                """)
        // The start of a workstream's name still works.
        #expect(
            try RACIWho.answer("Error", matrix: matrix, config: config).text.hasPrefix(
                "Error budgets\nResponsible  SRE: Alice Martin (alice), Bob Okafor (bob), Farid Haddad (farid)\nAccountable  CTO: Henrik Berg (henrik)\n"))
    }

    @Test func aRoleNamesItsPeopleAndTheLettersItHolds() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let matrix = try RACIService(ops.workspace).matrix()
        let config = try ops.workspace.config()
        let lead = try RACIWho.answer("SRE Lead", matrix: matrix, config: config)
        #expect(lead.subject == .title && lead.people.map(\.handle) == ["bob"])
        #expect(lead.text == "SRE Lead (title): Bob Okafor (bob)\nResponsible  Ops Review\n")
        let head = try RACIWho.answer("head of sre", matrix: matrix, config: config)
        #expect(head.holdings.map { "\($0.role) \($0.workstream)" } == ["A SLO dashboards", "A Alerting/runbooks"])
        let team = try RACIWho.answer("Data", matrix: matrix, config: config)
        #expect(team.subject == .team && team.people.map(\.handle) == ["carol", "kwame"])
        // A person holds letters through their title and team too.
        let bob = try RACIWho.answer("bob", matrix: matrix, config: config)
        #expect(
            bob.holdings.map { "\($0.role) \($0.workstream) \($0.via)" } == [
                "R SLO dashboards SRE", "R Error budgets SRE", "R Alerting/runbooks SRE", "R Ops Review SRE Lead",
            ])
        #expect(try RACIWho.answer("ELT", matrix: matrix, config: config).text == "ELT (group): nobody listed in ops.yaml\nInformed     SLO dashboards\n")
        #expect(throws: OpsError.self) { try RACIWho.answer("nobody", matrix: matrix, config: config) }
    }
}
