using Ledger.Api.Features.Reads;
using Ledger.ReadModels;
using Ledger.Storage;

namespace Ledger.Api.Features.Snapshots;

/// <summary>
/// The read models' daemon's starts for re-folding year and Renstra streams (<see cref="IYearStarts"/>,
/// <see cref="IRenstraStarts"/>): the newest snapshot of each stream at or below the daemon's sequence, in one query per
/// kind, used by the same rules as reads and commands (<see cref="ReadLoader.UsableYearStart"/>,
/// <see cref="ReadLoader.UsableRenstraStart"/>: authentic under this service's key, this code's state form, the stream's
/// own agency and year or plan, its event hash still the chain's).
/// </summary>
public sealed class SnapshotStarts(StreamSnapshots snapshots, ILogger<SnapshotStarts>? logger = null) : IYearStarts, IRenstraStarts
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

    public async Task<IReadOnlyDictionary<string, RenstraStart>> FindAsync(IReadOnlyCollection<string> renstras, long upToSequence, CancellationToken ct)
    {
        var rows = await snapshots.LatestUpToSequenceAsync(renstras, ReadLoader.RenstraCodec.StateType, upToSequence, ct);
        var starts = new Dictionary<string, RenstraStart>(StringComparer.Ordinal);
        foreach (var stream in renstras)
        {
            if (rows.TryGetValue(stream, out var row) && ReadLoader.UsableRenstraStart(row, stream, logger) is { } start)
                starts[stream] = new RenstraStart(start.State, start.Version);
        }
        return starts;
    }
}
