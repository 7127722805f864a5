using Ledger.Domain.Renstras;
using Ledger.Storage;

namespace Ledger.Api.Features.Renstras;

/// <summary>
/// <see cref="Renstra.InForceAsync{TPlan}"/> over the log: one query says which candidate plan streams exist (a stream is
/// never deleted, so one missing now was missing at any earlier instant too), and only those are read, newest first.
/// Commands' contexts, the HTTP reads and the audit reads all find the Renstra in force through here. (The year close
/// reads every candidate itself: it records the missing ones at version 0 for its log-head check.)
/// </summary>
public static class RenstraInForce
{
    /// <param name="readExisting">reads the plan from a stream that exists (as of whatever instant the caller reads at).</param>
    public static async Task<TPlan?> FindAsync<TPlan>(StreamLoader store, string agency, int year,
        Func<string, ValueTask<TPlan?>> readExisting, Func<TPlan, RenstraState> stateOf, CancellationToken ct) where TPlan : class
    {
        var existing = await store.ExistingAsync(Renstra.CandidatePeriodStarts(year).Select(s => Renstra.StreamName(agency, s)).ToList(), ct);
        return await Renstra.InForceAsync(year, start =>
        {
            var stream = Renstra.StreamName(agency, start);
            return existing.Contains(stream) ? readExisting(stream) : ValueTask.FromResult<TPlan?>(null);
        }, stateOf);
    }
}
