using System.Globalization;
using System.Net;
using System.Text;
using Ledger.Web.Formatting;

namespace Ledger.Web.Charts;

/// <summary>
/// Server-rendered SVG charts (no script, no external asset): realization as bars against the target as a line with
/// markers, per category (quarters, or Renstra years). A missing value draws nothing, never a zero bar.
/// </summary>
public static class Svg
{
    public sealed record Point(string Label, decimal? Realization, decimal? Target);

    private const int Width = 640, Height = 260, Left = 64, Right = 16, Top = 20, Bottom = 48;

    public static string BarsAgainstTarget(string title, string unit, IReadOnlyList<Point> points)
    {
        var values = points.SelectMany(p => new[] { p.Realization, p.Target }).OfType<decimal>().ToList();
        var max = values.Count == 0 ? 1m : Math.Max(values.Max(), 0m);
        var min = values.Count == 0 ? 0m : Math.Min(values.Min(), 0m);
        if (max == min) max = min + 1;
        var top = Nice(max);
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double Y(decimal v) => Top + plotH - (double)((v - min) / (top - min)) * plotH;
        var slot = plotW / (double)Math.Max(points.Count, 1);

        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(title)}\">");
        s.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>");
        for (var i = 0; i <= 4; i++)
        {
            var v = min + (top - min) * i / 4;
            var y = Y(v);
            s.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{E(Id.Number(v))}</text>");
        }
        var line = new List<string>();
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var cx = Left + slot * (i + 0.5);
            if (p.Realization is { } r)
            {
                var y0 = Y(Math.Max(0, min));
                var y1 = Y(r);
                var (yTop, h) = y1 < y0 ? (y1, y0 - y1) : (y0, y1 - y0);
                s.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar\" x=\"{cx - slot * 0.3:0.#}\" y=\"{yTop:0.#}\" width=\"{slot * 0.6:0.#}\" height=\"{Math.Max(h, 1):0.#}\"><title>{E(p.Label)}: realisasi {E(Id.Number(r))} {E(unit)}</title></rect>");
            }
            if (p.Target is { } t)
            {
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{cx:0.#},{Y(t):0.#}"));
                s.Append(CultureInfo.InvariantCulture,
                    $"<circle class=\"target\" cx=\"{cx:0.#}\" cy=\"{Y(t):0.#}\" r=\"4\"><title>{E(p.Label)}: target {E(Id.Number(t))} {E(unit)}</title></circle>");
            }
            s.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{cx:0.#}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{E(p.Label)}</text>");
        }
        if (line.Count > 1) s.Append($"<polyline class=\"target\" points=\"{string.Join(' ', line)}\"/>");
        s.Append(CultureInfo.InvariantCulture, $"<g class=\"legend\" transform=\"translate({Left},{Height - 14})\"><rect class=\"bar\" width=\"12\" height=\"12\" y=\"-10\"/><text x=\"18\">Realisasi</text>");
        s.Append("<circle class=\"target\" cx=\"106\" cy=\"-4\" r=\"4\"/><text x=\"116\">Target</text>");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"190\">{E(unit)}</text></g></svg>");
        return s.ToString();
    }

    /// <summary>A round number at or above <paramref name="v"/> for the top of the axis.</summary>
    private static decimal Nice(decimal v)
    {
        if (v <= 0) return 1;
        var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)));
        foreach (var step in new[] { 1m, 2m, 2.5m, 5m, 10m })
            if (step * magnitude >= v) return step * magnitude;
        return 10 * magnitude;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
