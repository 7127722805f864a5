using Ledger.Domain.Agencies;
using Ledger.Domain.Evaluations;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Storage;

namespace Ledger.Api.Features.Discovery;

/// <summary>The streams of one agency that exist now, by kind (the numbers are period starts or years, ascending).</summary>
public sealed record AgencyStreamSet(string Agency, bool AgencyStream, IReadOnlyList<int> RenstraStarts, IReadOnlyList<int> Years, IReadOnlyList<int> EvaluationYears)
{
    /// <summary>Every stream id, agency first.</summary>
    public IEnumerable<(string Stream, int? Year)> All()
    {
        if (AgencyStream) yield return (Domain.Agencies.Agency.StreamName(Agency), null);
        foreach (var s in RenstraStarts) yield return (Renstra.StreamName(Agency, s), null);
        foreach (var y in Years) yield return (PerformanceYear.StreamName(Agency, y), y);
        foreach (var y in EvaluationYears) yield return (Evaluation.StreamName(Agency, y), y);
    }
}

/// <summary>
/// Which agencies and which of an agency's plans, years and evaluations exist: there is no index of them, so the stream
/// rows are listed by the prefixes of the domain's own stream names (<see cref="Agency.StreamName"/>,
/// <see cref="Renstra.StreamName"/>, <see cref="PerformanceYear.StreamName"/>, <see cref="Evaluation.StreamName"/>), and a
/// row counts only when the name made from the parsed number is that row's id (so agency "a" never picks up agency
/// "a-b"'s streams). A stream is never deleted; what existed as of an instant is the caller's replay's business.
/// </summary>
public static class AgencyStreams
{
    private static readonly string AgencyPrefix = Agency.StreamName("");

    /// <summary>The codes of every agency stream, sorted (ordinal).</summary>
    public static async Task<IReadOnlyList<string>> CodesAsync(StreamLoader store, CancellationToken ct) =>
        (await store.StreamsStartingWithAsync([AgencyPrefix], ct))
            .Select(s => s[AgencyPrefix.Length..])
            .Where(code => Agencies.AgencyRecord.IsPossibleCode(code) && Agency.StreamName(code) == AgencyPrefix + code)
            .ToList();

    public static async Task<AgencyStreamSet> ListAsync(StreamLoader store, string agency, CancellationToken ct)
    {
        Func<int, string>[] kinds =
        [
            n => Renstra.StreamName(agency, n), n => PerformanceYear.StreamName(agency, n), n => Evaluation.StreamName(agency, n),
        ];
        var prefixes = kinds.Select(Prefix).ToList();
        var ids = await store.StreamsStartingWithAsync([Agency.StreamName(agency), .. prefixes], ct);
        List<int> Numbered(int kind) => ids
            .Where(id => id.StartsWith(prefixes[kind], StringComparison.Ordinal))
            .Select(id => int.TryParse(id[prefixes[kind].Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                          && kinds[kind](n) == id ? n : (int?)null)
            .OfType<int>().Order().ToList();
        return new AgencyStreamSet(agency, ids.Contains(Agency.StreamName(agency)), Numbered(0), Numbered(1), Numbered(2));
    }

    /// <summary>The part of a numbered stream name before the number ("year-{agency}-").</summary>
    private static string Prefix(Func<int, string> name)
    {
        var one = name(1);
        return one[..^1];
    }
}
