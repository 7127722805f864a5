using System.Globalization;
using System.Text;

namespace Ledger.Bench;

/// <summary>One concurrency level of the HTTP sweep, as the chart draws it.</summary>
internal sealed record SweepPoint(int Clients, double CommandsPerSecond, double ReadsPerSecond, double CommandP99Ms, double ReadP99Ms);

/// <summary>
/// The chart of the HTTP sweep (issue 13 item 1): two panels side by side over the clients (log scale), throughput
/// (commands/s, reads/s) and p99 latency (commands, reads), each with the goal drawn as a dashed line. Plain SVG,
/// no script, readable on GitHub and in any browser.
/// </summary>
internal static class SweepChart
{
    private const int PanelWidth = 380, PanelHeight = 260, Left = 60, Top = 56, Bottom = 50, Gap = 70;
    private const string CommandColour = "#b45309", ReadColour = "#1d4ed8", GoalColour = "#6b7280";

    public static string Svg(IReadOnlyList<SweepPoint> points, string title, double readGoalPerSecond, double commandGoalP99Ms, double readGoalP99Ms)
    {
        var width = Left + PanelWidth + Gap + Left + PanelWidth + 20;
        var height = Top + PanelHeight + Bottom + 30;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n");

        static double MaxOf(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
        var maxRate = Math.Max(readGoalPerSecond, MaxOf(points.SelectMany(p => new[] { p.CommandsPerSecond, p.ReadsPerSecond }))) * 1.1;
        Panel(sb, Left, points, "requests per second", maxRate,
            [("commands/s", CommandColour, p => p.CommandsPerSecond), ("reads/s", ReadColour, p => p.ReadsPerSecond)],
            [($"goal: reads ≥ {readGoalPerSecond:F0}/s", readGoalPerSecond)]);
        var maxMs = Math.Max(commandGoalP99Ms, MaxOf(points.SelectMany(p => new[] { p.CommandP99Ms, p.ReadP99Ms }))) * 1.1;
        Panel(sb, Left + PanelWidth + Gap + Left, points, "p99 latency (ms)", maxMs,
            [("commands p99", CommandColour, p => p.CommandP99Ms), ("reads p99", ReadColour, p => p.ReadP99Ms)],
            [($"goal: commands p99 < {commandGoalP99Ms:F0} ms (16 clients)", commandGoalP99Ms), ($"goal: reads p99 < {readGoalP99Ms:F0} ms", readGoalP99Ms)]);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, int x0, IReadOnlyList<SweepPoint> points, string axis, double max,
        (string Name, string Colour, Func<SweepPoint, double> Value)[] series, (string Label, double Value)[] goals)
    {
        var clients = points.Select(p => p.Clients).ToArray();
        double lo = Math.Log2(clients.Min()), hi = Math.Log2(clients.Max());
        double X(int c) => x0 + (hi == lo ? PanelWidth / 2.0 : (Math.Log2(c) - lo) / (hi - lo) * PanelWidth);
        double Y(double v) => Top + PanelHeight - v / max * PanelHeight;
        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{Top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#d1d5db\"/>\n");
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            sb.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{x0}\" x2=\"{x0 + PanelWidth}\" y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\" stroke=\"#f3f4f6\"/><text x=\"{x0 - 6}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{v:F0}</text>\n");
        }
        foreach (var c in clients)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(c))}\" y=\"{Top + PanelHeight + 16}\" text-anchor=\"middle\">{c}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + PanelWidth / 2}\" y=\"{Top + PanelHeight + 34}\" text-anchor=\"middle\">concurrent clients</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0}\" y=\"{Top - 8}\" font-weight=\"bold\">{Escape(axis)}</text>\n");
        var legendY = Top + PanelHeight + 52;
        foreach (var (label, value) in goals)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{x0}\" x2=\"{x0 + PanelWidth}\" y1=\"{F(Y(value))}\" y2=\"{F(Y(value))}\" stroke=\"{GoalColour}\" stroke-dasharray=\"6 4\"/><text x=\"{x0 + PanelWidth - 4}\" y=\"{F(Y(value) - 4)}\" text-anchor=\"end\" fill=\"{GoalColour}\" font-size=\"11\">{Escape(label)}</text>\n");
        }
        var legendX = x0;
        foreach (var (name, colour, value) in series)
        {
            if (points.All(p => value(p) is 0 or double.NaN)) continue; // e.g. no commands in a reads-only run
            var path = string.Join(' ', points.Select((p, i) => $"{(i == 0 ? 'M' : 'L')}{F(X(p.Clients))},{F(Y(value(p)))}"));
            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
            foreach (var p in points)
                sb.Append(CultureInfo.InvariantCulture,
                    $"<circle cx=\"{F(X(p.Clients))}\" cy=\"{F(Y(value(p)))}\" r=\"3\" fill=\"{colour}\"><title>{Escape(name)} at {p.Clients} clients: {value(p):F1}</title></circle>\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{legendX}\" y=\"{legendY - 9}\" width=\"12\" height=\"4\" fill=\"{colour}\"/><text x=\"{legendX + 16}\" y=\"{legendY - 4}\">{Escape(name)}</text>\n");
            legendX += 130;
        }
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
