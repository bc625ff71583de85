import Foundation

/// A line chart as a stand-alone SVG: categories along x, one or more series, and dashed guide
/// lines (thresholds, targets). Readable without colour: every series has its own dash pattern
/// and is named at its last point, every guide says what it is. Same input, same bytes.
struct LineChart {
    struct Series {
        var name: String
        var values: [Double?]
    }

    struct Guide {
        var value: Double
        var label: String
    }

    struct Panel {
        var title: String
        var series: [Series]
        var guides: [Guide] = []
    }

    /// Okabe–Ito colours (told apart by most colour-blind readers), paired with dash patterns.
    static let styles: [(colour: String, dash: String)] = [
        ("#0072B2", ""), ("#D55E00", "6 3"), ("#009E73", "2 3"), ("#CC79A7", "8 3 2 3"), ("#E69F00", "4 4"), ("#56B4E9", "1 2"),
    ]

    var title: String
    var xLabels: [String]
    var panels: [Panel]
    /// Every how many categories an x label is printed.
    var labelEvery = 1
    var format: (Double) -> String
    var width = 760
    var panelHeight = 220
    /// Durations in seconds get steps of whole minutes, hours or days on the y axis.
    var durations = false

    static let left = 86.0, top = 34.0, bottom = 30.0

    func svg() -> String {
        let height = panels.count * panelHeight
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(Self.escape(title))\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\">\n"
        out += "<title>\(Self.escape(title))</title>\n"
        out += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        for (index, panel) in panels.enumerated() {
            out += "<g transform=\"translate(0,\(index * panelHeight))\">\n" + render(panel) + "</g>\n"
        }
        return out + "</svg>\n"
    }

    private func render(_ panel: Panel) -> String {
        // Room on the right for the longest series name and its value (bold 12 px: about 8 px a character).
        let names = panel.series.compactMap { series in series.values.last { $0 != nil }.map { "\(series.name) \(format($0!))" } }
        let right = Double(max(60, (names.map(\.count).max() ?? 0) * 8 + 20))
        let plotWidth = Double(width) - Self.left - right
        let plotHeight = Double(panelHeight) - Self.top - Self.bottom
        let values = panel.series.flatMap { $0.values.compactMap { $0 } } + panel.guides.map(\.value)
        let top = durations ? Self.durationCeiling((values.max() ?? 60) * 1.05) : Self.niceCeiling((values.max() ?? 1) * 1.08)
        func x(_ index: Int) -> Double {
            xLabels.count > 1 ? Self.left + plotWidth * Double(index) / Double(xLabels.count - 1) : Self.left + plotWidth / 2
        }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - min(max(value / top, 0), 1.02)) }

        var out = "<text x=\"\(Self.left)\" y=\"20\" font-size=\"13\" font-weight=\"600\" fill=\"#1f2328\">\(Self.escape(panel.title))</text>\n"
        // Axes and a light grid at quarters of the scale.
        for step in 0...4 {
            let value = top * Double(step) / 4
            let lineY = Self.number(y(value))
            out +=
                "<line x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.left + plotWidth))\" y1=\"\(lineY)\" y2=\"\(lineY)\" stroke=\"#d0d7de\" stroke-width=\"\(step == 0 ? 1.2 : 0.6)\"/>\n"
            out +=
                "<text x=\"\(Self.number(Self.left - 6))\" y=\"\(Self.number(y(value) + 4))\" text-anchor=\"end\" fill=\"#57606a\">\(Self.escape(format(value)))</text>\n"
        }
        let every = max(labelEvery, 1), last = xLabels.count - 1
        // Every `every`th label, and the last one, unless a regular one sits too close to it.
        for (index, label) in xLabels.enumerated() where index == last || (index % every == 0 && last - index > every / 2) {
            out +=
                "<text x=\"\(Self.number(x(index)))\" y=\"\(Self.number(Self.top + plotHeight + 18))\" text-anchor=\"middle\" fill=\"#57606a\">\(Self.escape(label))</text>\n"
        }
        for guide in panel.guides {
            let guideY = Self.number(y(guide.value))
            out +=
                "<line x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.left + plotWidth))\" y1=\"\(guideY)\" y2=\"\(guideY)\" stroke=\"#6e7781\" stroke-width=\"1\" stroke-dasharray=\"5 4\"/>\n"
            // Named just above its line at the left, where no series is named.
            out += "<text x=\"\(Self.number(Self.left + 6))\" y=\"\(Self.number(y(guide.value) - 4))\" fill=\"#57606a\">\(Self.escape(guide.label))</text>\n"
        }
        if panel.series.allSatisfy({ $0.values.allSatisfy { $0 == nil } }) {
            out +=
                "<text x=\"\(Self.number(Self.left + plotWidth / 2))\" y=\"\(Self.number(Self.top + plotHeight / 2))\" text-anchor=\"middle\" fill=\"#57606a\">no data</text>\n"
        }
        var labels: [(x: Double, y: Double, text: String, colour: String)] = []
        for (index, series) in panel.series.enumerated() {
            let style = Self.styles[index % Self.styles.count]
            let dash = style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\""
            // A gap (nil) breaks the line: a missing week is not drawn as a fall to zero.
            var runs: [[(Int, Double)]] = [[]]
            for (point, value) in series.values.enumerated() {
                if let value { runs[runs.count - 1].append((point, value)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where !run.isEmpty {
                let points = run.map { "\(Self.number(x($0.0))),\(Self.number(y($0.1)))" }.joined(separator: " ")
                if run.count > 1 {
                    out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(style.colour)\" stroke-width=\"2.2\"\(dash)/>\n"
                }
                for (point, value) in run {
                    out += "<circle cx=\"\(Self.number(x(point)))\" cy=\"\(Self.number(y(value)))\" r=\"2.8\" fill=\"\(style.colour)\"/>\n"
                }
            }
            if let last = series.values.indices.last(where: { series.values[$0] != nil }), let value = series.values[last] {
                labels.append((x(last) + 8, y(value) + 4, "\(series.name) \(format(value))", style.colour))
            }
        }
        // Each series is named at its last point, with that value: the legend is on the line
        // itself. Labels that would overlap are pushed apart.
        labels.sort { ($0.y, $0.text) < ($1.y, $1.text) }
        for index in labels.indices.dropFirst() where labels[index].y < labels[index - 1].y + 14 {
            labels[index].y = labels[index - 1].y + 14
        }
        for label in labels {
            out +=
                "<text x=\"\(Self.number(label.x))\" y=\"\(Self.number(label.y))\" fill=\"\(label.colour)\" font-weight=\"600\">\(Self.escape(label.text))</text>\n"
        }
        return out
    }

    /// A round top for the y axis at or above `value`, whose quarters are round too
    /// (1.2 → 0.3 steps, 2 → 0.5, 4 → 1, times a power of ten).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    /// Four steps of a round duration (1, 5, 10, 15, 30 min; 1, 2, 3, 6, 12 h; days) at or above `seconds`.
    static func durationCeiling(_ seconds: Double) -> Double {
        let steps: [Double] = [15, 60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]
        let step = steps.first { $0 * 4 >= seconds } ?? (seconds / 4 / 86_400).rounded(.up) * 86_400
        return step * 4
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
