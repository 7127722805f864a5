using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Domain.Agencies;
using Ledger.Domain.Capaian;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;

namespace Ledger.Domain.PerformanceYears.ClosingYear;

/// <summary>What the year's LKjIP table is computed from, besides the year's own stream, and the versions it was read at.</summary>
public sealed record SnapshotInputs(
    bool AgencyExists, AgencyState Agency, RenstraState? Renstra, PerformanceYearState? Previous, RenstraState? PreviousRenstra,
    IReadOnlyList<SnapshotSource> Sources);

/// <summary>The head of the whole log a close publishes (null fields: none was taken).</summary>
public sealed record FrozenLogHead(long Sequence, string Digest, string Format);

/// <summary>
/// The year-end snapshot rule (issue 4, docs/snapshots.md): which table a close freezes and which hash seals it. The close
/// and the later recompute-and-compare both call <see cref="Build"/> and <see cref="Hash"/>, so they cannot drift apart;
/// reading the inputs (I/O) is the caller's.
/// </summary>
public static class YearSnapshot
{
    /// <summary>
    /// The JSON the table is serialised with before canonicalisation: camelCase names, numbers as JSON numbers with their
    /// scale, nothing left out. Fixed here, not borrowed from the service's settings: a change would change every hash.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    /// <summary>The year's LKjIP table, from the year (up to the close) and the inputs.</summary>
    public static PerformanceTable Build(PerformanceYearState year, SnapshotInputs inputs) =>
        PerformanceTable.Build(
            inputs.Renstra ?? RenstraState.Initial, year, inputs.Previous,
            inputs.Agency.ScaleFor(year.Year), inputs.Agency.ScaleFor(year.Year - 1), CapaianPolicy.Default,
            inputs.PreviousRenstra);

    /// <summary>SHA-256 (lowercase hex) of the table's <see cref="CanonicalJson"/> bytes.</summary>
    public static string Hash(PerformanceTable table) => CanonicalJson.Sha256Hex(CanonicalJson.Encode(table, Json));

    /// <summary>
    /// The close command for the year as it stands: the table built from the inputs, its hash, and the frozen document
    /// (table, sources, published head) that goes into the log with it. <see cref="PerformanceYear.Decide"/> then applies
    /// the year's rules (already closed, indicators without realization).
    /// </summary>
    public static CloseYear Close(PerformanceYearState year, SnapshotInputs inputs, FrozenLogHead? head, string? note)
    {
        var table = Build(year, inputs);
        return new CloseYear(Hash(table), note)
        {
            Frozen = new FrozenSnapshot(CanonicalJson.Name, table, inputs.Sources, head?.Sequence, head?.Digest, head?.Format),
        };
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
