import GitStore
import Testing

@Suite struct ObjectIDTests {
    /// Ids are kept as bytes; what a person sees and what sorting does must be the hex text's.
    @Test func hexTextRoundTripsAndOrderIsTheTextsOrder() throws {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        let texts =
            (0..<500).map { _ in String((0..<40).map { _ in digits[Int(generator.next() % 16)] }) }
            + [String(repeating: "0", count: 40), String(repeating: "f", count: 40), "ffffffffffffffff0000000000000000000000ff"]
        let ids = try texts.map { try #require(ObjectID(hex: $0)) }
        #expect(ids.map(\.hex) == texts)
        #expect(ids.sorted().map(\.hex) == texts.sorted())
        #expect(Set(ids).count == Set(texts).count)
        #expect(ObjectID(hex: texts[0].uppercased()) == ids[0])
        #expect(ids[0].short == String(texts[0].prefix(7)))
    }

    @Test func textThatIsNotFortyHexDigitsIsNoID() {
        for text in [
            "", "abc", String(repeating: "a", count: 39), String(repeating: "a", count: 41), String(repeating: "g", count: 40),
            String(repeating: "é", count: 20),
        ] {
            #expect(ObjectID(hex: text) == nil, "\(text)")
        }
    }
}
