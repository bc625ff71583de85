import Foundation

/// A good or total query of the catalog with its range made a blank: `sum(increase(x[1h]))`
/// becomes `sum(increase(x[5m]))`, `sum(increase(x[3d]))` and so on, so one query written for
/// `ops slo pull` also counts the events of every window a burn-rate alert looks at.
///
/// The rule: the query holds at least one plain range (`[1h]`), every range is the same, and
/// each sits in `rate`, `increase`, `sum_over_time` or `count_over_time`, whose values over a
/// longer range are counts over that range. Anything else (no range, a subquery `[1h:5m]`,
/// two different ranges, `irate` or `avg_over_time`, whose values do not count events) is
/// refused with the reason, since changing its range would change what it means.
struct PromQLWindow: Equatable {
    /// The query's text between its ranges: the query is `pieces` joined by `[window]`.
    let pieces: [String]
    /// The range the query was written with (`1h`).
    let written: String

    /// Functions that take a range and whose value grows with it the way a count of events
    /// does; a ratio of two of them over any window is a ratio of events.
    static let counting: Set<String> = ["rate", "increase", "sum_over_time", "count_over_time"]
    /// The other functions of PromQL that take a range vector.
    static let notCounting: Set<String> = [
        "irate", "delta", "idelta", "deriv", "changes", "resets", "predict_linear", "holt_winters",
        "double_exponential_smoothing", "avg_over_time", "min_over_time", "max_over_time", "quantile_over_time",
        "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time",
        "absent_over_time", "mad_over_time",
    ]

    /// Splits `query` at its ranges; throws the reason (a phrase) when it cannot be rewritten.
    init(_ query: String) throws(Refusal) {
        let scalars = Array(query.unicodeScalars)
        var pieces: [String] = []
        var ranges: [String] = []
        var piece = String.UnicodeScalarView()
        var word = ""
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" || scalar == "'" || scalar == "`" {
                // A string literal: a bracket or a function name inside it is text.
                let end = Self.endOfString(scalars, from: index)
                piece.append(contentsOf: scalars[index..<end])
                index = end
                word = ""
                continue
            }
            if scalar == "[" {
                guard let close = scalars[index...].firstIndex(of: "]") else { throw Refusal("has a `[` without its `]`") }
                let range = String(String.UnicodeScalarView(scalars[(index + 1)..<close])).trimmingCharacters(in: .whitespaces)
                if range.contains(":") { throw Refusal("has a subquery [\(range)]; write a plain range like [1h]") }
                guard Self.isDuration(range) else { throw Refusal("has a range [\(range)] that is not a duration like [1h]") }
                ranges.append(range)
                pieces.append(String(piece))
                piece = String.UnicodeScalarView()
                index = close + 1
                word = ""
                continue
            }
            if scalar.properties.isAlphabetic || scalar == "_" || (scalar.properties.numericType != nil && !word.isEmpty) {
                word.unicodeScalars.append(scalar)
            } else if scalar == "(" {
                if Self.notCounting.contains(word) {
                    throw Refusal("uses \(word), which does not count events over its range; use rate or increase")
                }
                word = ""
            } else if scalar != " " {
                word = ""
            }
            piece.append(scalar)
            index += 1
        }
        pieces.append(String(piece))
        guard let first = ranges.first else { throw Refusal("has no range like [1h] to set to each window") }
        if let other = ranges.first(where: { $0 != first }) {
            throw Refusal("has two ranges, [\(first)] and [\(other)]; write one range, the same everywhere")
        }
        self.pieces = pieces
        self.written = first
    }

    /// The query over `window` (`5m`, `3d`).
    func over(_ window: String) -> String { pieces.joined(separator: "[\(window)]") }

    /// Why a query cannot be rewritten, as a phrase that follows its name.
    struct Refusal: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The index just past the string literal that opens at `start`; a backslash escapes in
    /// '…' and "…", not in `…` (PromQL's raw strings). An open string runs to the end.
    private static func endOfString(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        let quote = scalars[start]
        var index = start + 1
        while index < scalars.count {
            if scalars[index] == "\\" && quote != "`" {
                index += 2
                continue
            }
            if scalars[index] == quote { return index + 1 }
            index += 1
        }
        return scalars.count
    }

    /// A PromQL duration: one or more of a number and a unit (`1h`, `90m`, `1h30m`).
    static func isDuration(_ text: String) -> Bool {
        var rest = Substring(text)
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            guard let unit = ["ms", "s", "m", "h", "d", "w", "y"].first(where: { rest.hasPrefix($0) }) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }
}
