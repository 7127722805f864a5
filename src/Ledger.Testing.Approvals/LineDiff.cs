using System.Text;

namespace Ledger.Testing.Approvals;

/// <summary>A small line diff (LCS) printed unified-style: ' ' context, '-' verified only, '+' received only.</summary>
internal static class LineDiff
{
    private const int Context = 2;
    private const int MaxLines = 60;
    private const long MaxCells = 4_000_000;

    public static string Format(string verified, string received)
    {
        var a = Split(verified);
        var b = Split(received);
        var ops = (long)a.Length * b.Length <= MaxCells ? Lcs(a, b) : Positional(a, b);

        var show = new bool[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Kind == ' ') continue;
            for (var j = Math.Max(0, i - Context); j <= Math.Min(ops.Count - 1, i + Context); j++) show[j] = true;
        }

        var sb = new StringBuilder();
        var printed = 0;
        var gap = false;
        for (var i = 0; i < ops.Count; i++)
        {
            if (!show[i])
            {
                gap = true;
                continue;
            }
            if (gap) sb.Append("@@ ...\n");
            gap = false;
            if (printed++ == MaxLines)
            {
                sb.Append($"... (diff cut after {MaxLines} lines)\n");
                break;
            }
            sb.Append(ops[i].Kind).Append(' ').Append(ops[i].Line).Append('\n');
        }
        return sb.ToString();
    }

    private readonly record struct Op(char Kind, string Line);

    private static string[] Split(string text)
    {
        var normalized = text.ReplaceLineEndings("\n").TrimEnd('\n');
        return normalized.Length == 0 ? [] : normalized.Split('\n');
    }

    private static List<Op> Lcs(string[] a, string[] b)
    {
        var lengths = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lengths[i, j] = a[i] == b[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }
        var ops = new List<Op>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { ops.Add(new(' ', a[x])); x++; y++; }
            else if (lengths[x + 1, y] >= lengths[x, y + 1]) ops.Add(new('-', a[x++]));
            else ops.Add(new('+', b[y++]));
        }
        while (x < a.Length) ops.Add(new('-', a[x++]));
        while (y < b.Length) ops.Add(new('+', b[y++]));
        return ops;
    }

    private static List<Op> Positional(string[] a, string[] b)
    {
        var ops = new List<Op>();
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            if (i < a.Length && i < b.Length && a[i] == b[i]) { ops.Add(new(' ', a[i])); continue; }
            if (i < a.Length) ops.Add(new('-', a[i]));
            if (i < b.Length) ops.Add(new('+', b[i]));
        }
        return ops;
    }
}
