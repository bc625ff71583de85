public import Foundation

/// Numbers as SLO files and imports write them, read exactly: event counts are summed as
/// `Decimal` (Prometheus' `increase()` gives fractions, and a budget is a sum of counts, never
/// an average of ratios), and `99.9%` is 0.999 with no binary rounding on the way.
public enum SLONumber {
    /// `12`, `-3.5`, `1e3`, `0.0028`: a plain decimal number and nothing else. Foundation's
    /// `Decimal(string:)` reads `12abc` as 12, which would let a typo through.
    public static func decimal(_ text: String) -> Decimal? {
        let bytes = Array(text.utf8)
        var i = 0
        if i < bytes.count, bytes[i] == 43 || bytes[i] == 45 { i += 1 }  // + or -
        var digits = 0
        while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; digits += 1 }
        if i < bytes.count, bytes[i] == 46 {  // .
            i += 1
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < bytes.count, bytes[i] == 101 || bytes[i] == 69 {  // e or E
            i += 1
            if i < bytes.count, bytes[i] == 43 || bytes[i] == 45 { i += 1 }
            var exponent = 0
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; exponent += 1 }
            guard exponent > 0 else { return nil }
        }
        guard i == bytes.count else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// `99.9%` as 0.999 (`percent` true), or a bare `0.999` as written (`percent` false).
    public static func ratio(_ text: String) -> (value: Decimal, percent: Bool)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let number = decimal(String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces)) else { return nil }
            return (number / 100, true)
        }
        return decimal(trimmed).map { ($0, false) }
    }

    /// `43m`, `43.2min`, `2.4h`, `1h30m`, `0.1d`, `45s`, `1w` as seconds; nil for anything else.
    public static func duration(_ text: String) -> Decimal? {
        let units: [(String, Decimal)] = [("min", 60), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        var total: Decimal = 0
        var parts = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = decimal(String(number)) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
            parts += 1
        }
        return parts > 0 ? total : nil
    }

    /// The nearest `Double`: through the decimal text, so the result is correctly rounded.
    public static func double(_ value: Decimal) -> Double {
        Double(value.description) ?? .nan
    }

    /// `0.999` as `99.9%`: the shortest percent that reads back as the same value.
    public static func percentText(_ value: Decimal) -> String {
        (value * 100).description + "%"
    }

    /// A ratio as a person reads it: `99.9 %`, `103.8 %`, `0.1038 %` (`digits` after the point,
    /// trailing zeros dropped).
    public static func percent(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        var text = String(format: "%.\(digits)f", value * 100)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { text = "0" }
        return text + " %"
    }

    /// A count as a person reads it: `1,711,239` (fractions, which `increase()` can give, rounded).
    public static func count(_ value: Decimal) -> String {
        let rounded = double(value).rounded()
        guard abs(rounded) < 1e18 else { return value.description }
        let digits = String(Int64(abs(rounded)))
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (rounded < 0 ? "-" : "") + grouped
    }
}
