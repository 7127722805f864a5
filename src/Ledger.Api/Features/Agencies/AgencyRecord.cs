using Ledger.Api.Infrastructure;
using Ledger.Domain.Agencies;
using Ledger.Storage;

namespace Ledger.Api.Features.Agencies;

/// <summary>
/// "Does this agency exist?", the one rule every command context, read, audit read, user registration and the demo
/// import use: its code is one an agency can have (RegisterAgency allows 1 to <see cref="BodyRules.CodeLength"/>
/// characters; any other code is simply unknown and never reaches the store, where it would make an invalid stream
/// name) and its stream, replayed as of the instant, says it was registered (<see cref="AgencyState.Exists"/>).
/// </summary>
public static class AgencyRecord
{
    public static bool IsPossibleCode(string? code) => !string.IsNullOrWhiteSpace(code) && code.Length <= BodyRules.CodeLength;

    /// <summary>The agency as its stream says as of the instant, with the stream's version then (0: never registered).</summary>
    public static async Task<(AgencyState State, long Version)> LoadAsync(StreamLoader streams, string? agency, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (!IsPossibleCode(agency)) return (AgencyState.Initial, 0);
        var events = await streams.ReadAsync(Agency.StreamName(agency!), StreamBound.At(asOf), ct);
        return (Agency.Replay(events.Select(StreamLoader.Decode)), events.Count == 0 ? 0 : events[^1].Version);
    }

    public static async Task<bool> ExistsAsync(StreamLoader streams, string? agency, DateTimeOffset? asOf, CancellationToken ct) =>
        (await LoadAsync(streams, agency, asOf, ct)).State.Exists;
}
