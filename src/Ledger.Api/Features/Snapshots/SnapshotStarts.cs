using Ledger.Api.Features.Reads;
using Ledger.ReadModels;
using Ledger.Storage;

namespace Ledger.Api.Features.Snapshots;

/// <summary>
/// The read models' daemon's starts for re-folding year streams (<see cref="IYearStarts"/>): the newest snapshot of each
/// stream at or below the daemon's sequence, in one query, used by the same rule as reads and commands
/// (<see cref="ReadLoader.UsableYearStart"/>: authentic under this service's key, this code's state form, this agency and
/// year, its event hash still the chain's).
/// </summary>
public sealed class YearSnapshotStarts(StreamSnapshots snapshots, ILogger<YearSnapshotStarts>? logger = null) : IYearStarts
{
    public async Task<IReadOnlyDictionary<string, YearStart>> FindAsync(IReadOnlyCollection<(string Stream, string Agency, int Year)> years,
        long upToSequence, CancellationToken ct)
    {
        var rows = await snapshots.LatestUpToSequenceAsync(years.Select(y => y.Stream).ToList(), ReadLoader.YearCodec.StateType, upToSequence, ct);
        var starts = new Dictionary<string, YearStart>(StringComparer.Ordinal);
        foreach (var (stream, agency, year) in years)
        {
            if (rows.TryGetValue(stream, out var row) && ReadLoader.UsableYearStart(row, stream, agency, year, logger) is { } start)
                starts[stream] = new YearStart(start.State, start.Version);
        }
        return starts;
    }
}
