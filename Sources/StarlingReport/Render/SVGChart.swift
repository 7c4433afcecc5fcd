import Foundation

/// One line of a chart: points in data coordinates; a nil `y` breaks the line (no data that second).
struct ChartSeries {
    var name: String
    var color: String
    var points: [(x: Double, y: Double?)]
    var dashed = false

    /// Runs of consecutive points that have a value.
    var segments: [[(x: Double, y: Double)]] {
        var result: [[(x: Double, y: Double)]] = [[]]
        for p in points {
            if let y = p.y { result[result.count - 1].append((p.x, y)) } else if !result[result.count - 1].isEmpty { result.append([]) }
        }
        return result.filter { !$0.isEmpty }
    }
}

/// A hand-written SVG line chart: linear y from 0, x linear or given ticks (e.g. HdrHistogram's
/// percentile axis), a grid, axis titles and a legend. No scripts, styles or fonts from outside:
/// the markup is inline and uses the viewer's sans-serif font.
struct SVGLineChart {
    var title: String
    var xTitle: String
    var yTitle: String
    var series: [ChartSeries]
    /// Fixed x ticks (position, label); nil: about six "nice" linear ticks over the data.
    var xTicks: [(Double, String)]? = nil
    /// Fixed x range (e.g. the whole run for every timeline chart); nil: the data's.
    var xDomain: ClosedRange<Double>? = nil
    var width = 960.0
    var height = 300.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    private let left = 64.0, right = 16.0, top = 34.0, bottom = 46.0, legendWidth = 230.0

    func render() -> String {
        let all = series.flatMap { $0.segments.flatMap { $0 } }
        let xs = all.map(\.x) + (xTicks ?? []).map(\.0)
        let (x0, x1) = xDomain.map { ($0.lowerBound, max($0.upperBound, $0.lowerBound + 1)) }
            ?? (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1))
        let yTicks = Self.niceTicks(upTo: all.map(\.y).max() ?? 1)
        let y1 = yTicks.last ?? 1
        let plotW = width - left - right - legendWidth, plotH = height - top - bottom
        let px = { (x: Double) in self.left + (x - x0) / (x1 - x0) * plotW }
        let py = { (y: Double) in self.top + plotH - y / y1 * plotH }

        var svg = ["<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(ReportText.xml(title))\">",
            "<title>\(ReportText.xml(title))</title>",
            "<text x=\"\(f(left))\" y=\"20\" class=\"ct\">\(ReportText.xml(title))</text>",
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" class=\"pa\"/>"]
        for tick in yTicks {
            svg.append("<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\" class=\"gr\"/>")
            svg.append("<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" class=\"yl\">\(Self.label(tick))</text>")
        }
        for (x, text) in xTicks ?? Self.niceTicks(from: x0, to: x1).map({ ($0, Self.label($0)) }) where x >= x0 && x <= x1 {
            svg.append("<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\" class=\"gr\"/>")
            svg.append("<text x=\"\(f(px(x)))\" y=\"\(f(top + plotH + 16))\" class=\"xl\">\(ReportText.xml(text))</text>")
        }
        svg.append("<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 8))\" class=\"xl\">\(ReportText.xml(xTitle))</text>")
        svg.append("<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" class=\"xl\">\(ReportText.xml(yTitle))</text>")
        for (index, s) in series.enumerated() {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            for segment in s.segments {
                if segment.count == 1, let p = segment.first {
                    svg.append("<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(s.color)\"/>")
                } else {
                    let points = segment.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                    svg.append("<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.6\"\(dash)/>")
                }
            }
            let ly = top + 8 + Double(index) * 18
            svg.append("<line x1=\"\(f(width - legendWidth + 4))\" x2=\"\(f(width - legendWidth + 28))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(s.color)\" stroke-width=\"3\"\(dash)/>")
            svg.append("<text x=\"\(f(width - legendWidth + 34))\" y=\"\(f(ly + 4))\" class=\"lg\">\(ReportText.xml(s.name))</text>")
        }
        if all.isEmpty {
            svg.append("<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" class=\"xl\">no data</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// 0 and "nice" steps (1, 2, 5 × 10ⁿ) up to at least `maximum`.
    static func niceTicks(upTo maximum: Double) -> [Double] {
        let top = maximum > 0 ? maximum : 1
        let step = niceStep(top / 5)
        return (0...Int((top / step).rounded(.up))).map { Double($0) * step }
    }

    static func niceTicks(from low: Double, to high: Double) -> [Double] {
        let step = niceStep((high - low) / 6)
        let first = (low / step).rounded(.up)
        return stride(from: first * step, through: high, by: step).map { $0 }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }

    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? ReportText.grouped(Int(v)) : String(format: v < 1 ? "%.3g" : "%.1f", v)
    }
}
