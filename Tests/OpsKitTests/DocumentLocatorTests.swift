import Foundation
import Testing

@testable import OpsKit

@Suite struct DocumentLocatorTests {
    let decisions = ["D-20261122-K2QXM4TB-freeze-releases", "D-20261122-K2QXAAAA-page-less", "D-20261120-9HD2W0PA-freeze"].map {
        DocumentLocator.Ref(id: String($0.prefix(19)), slug: String($0.dropFirst(20)), path: "decisions/\($0).md")
    }

    @Test func aDecisionIsNamedByItsIDAShortIDOrItsSlug() throws {
        let locator = DocumentLocator.decisions
        #expect(try locator.resolve("d-20261122-k2qxm4tb", among: decisions).slug == "freeze-releases")
        #expect(try locator.resolve("K2QXm", among: decisions).slug == "freeze-releases")
        #expect(try locator.resolve("9hd2", among: decisions).slug == "freeze")
        #expect(try locator.resolve("Freeze-Releases", among: decisions).id == "D-20261122-K2QXM4TB")
        // The dated short form incidents take works for every kind.
        #expect(try locator.resolve("D-20261122-K2QXA", among: decisions).slug == "page-less")
    }

    @Test func whatMatchesNoneOrSeveralSaysSoAndWhatCannotBeAnIDIsRefused() {
        let locator = DocumentLocator.decisions
        // Too short for an id, but it could have been a slug: nothing matches.
        #expect(throws: OpsError.input("no decision matches 'abc'. `ops decision list` shows them")) {
            try locator.resolve("abc", among: decisions)
        }
        #expect(throws: OpsError.input("'K2QX' matches 2 decisions: D-20261122-K2QXAAAA, D-20261122-K2QXM4TB. Type more characters")) {
            try locator.resolve("K2QX", among: decisions)
        }
        #expect(throws: OpsError.input("no backlog item matches 'K2QX'. `ops backlog list` shows them")) {
            try DocumentLocator.backlog.resolve("K2QX", among: [DocumentLocator.Ref]())
        }
        for hostile in ["../../etc/passwd", "freeze/../x", "k2qx\0", String(repeating: "a", count: 500)] {
            #expect {
                try locator.resolve(hostile, among: decisions)
            } throws: { error in
                (error as? OpsError)?.message.hasPrefix("'\(hostile.prefix(60))' is not a decision ID. IDs look like D-20261122-K2QXM4TB") == true
            }
        }
    }
}
