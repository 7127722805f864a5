using Ledger.Domain.Renstras;
using Ledger.Storage;

namespace Ledger.Api.Features.Renstras;

/// <summary>
/// <see cref="Renstra.InForceAsync{TPlan}"/> over the log: one query says which candidate plan streams exist (and their versions) (a stream is
/// never deleted, so one missing now was missing at any earlier instant too), and only those are read, newest first.
/// Commands' contexts, the HTTP reads, the audit reads and the year close all find the Renstra in force through here
/// (the close also records every candidate's version, 0 for a missing one, for its log-head check).
/// </summary>
public static class RenstraInForce
{
    /// <param name="readExisting">reads the plan from a stream that exists (as of whatever instant the caller reads at).</param>
    public static Task<TPlan?> FindAsync<TPlan>(StreamLoader store, string agency, int year,
        Func<string, ValueTask<TPlan?>> readExisting, Func<TPlan, RenstraState> stateOf, CancellationToken ct) where TPlan : class =>
        FindAsync(store, agency, year, (stream, _) => readExisting(stream), stateOf, ct);

    /// <param name="readExisting">reads the plan from a stream that exists, given its current version (for a cache).</param>
    public static async Task<TPlan?> FindAsync<TPlan>(StreamLoader store, string agency, int year,
        Func<string, long, ValueTask<TPlan?>> readExisting, Func<TPlan, RenstraState> stateOf, CancellationToken ct) where TPlan : class =>
        await FindAsync(await store.VersionsAsync(Renstra.CandidatePeriodStarts(year).Select(s => Renstra.StreamName(agency, s)).ToList(), ct),
            agency, year, readExisting, stateOf);

    /// <param name="existing">the current version of every candidate plan stream that exists (missing: does not exist).</param>
    public static async Task<TPlan?> FindAsync<TPlan>(IReadOnlyDictionary<string, long> existing, string agency, int year,
        Func<string, long, ValueTask<TPlan?>> readExisting, Func<TPlan, RenstraState> stateOf) where TPlan : class =>
        await Renstra.InForceAsync(year, start =>
        {
            var stream = Renstra.StreamName(agency, start);
            return existing.TryGetValue(stream, out var version) ? readExisting(stream, version) : ValueTask.FromResult<TPlan?>(null);
        }, stateOf);
}
