using Ledger.ReadModels;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Issue 4 on Marten: the SAKIP read models run on Marten's async daemon inside the service (HotCold: one node leads,
/// the others stand by); none is inline, so an append never waits for a read model and the HTTP reads keep replaying
/// streams. Where the host configures Marten:
/// <code>
///   services.AddMarten(o => { LedgerMarten.Configure(o, serviceCs); ReadModelRegistration.Configure(o); })
///           .AddAsyncDaemon(DaemonMode.HotCold);
/// </code>
/// and, as the owner before the service starts: <c>LedgerSchema.MigrateAsync(ownerCs, ReadModelRegistration.Configure)</c>,
/// <c>ReadModelSchema.MigrateAsync(owner)</c>, then <c>LedgerSchema.GrantServiceRoleAsync</c> and
/// <c>ReadModelSchema.GrantServiceRoleAsync</c> for the service role (docs/read-models.md).
/// </summary>
public static class ReadModelRegistration
{
    /// <summary>Marten's side: the one projection, <c>sakip</c>, async (<see cref="SakipReadModels.Register"/>).</summary>
    public static void Configure(StoreOptions options) => SakipReadModels.Register(options);

    /// <summary>
    /// The same, with the host's read-model settings: how many agencies' folded states the daemon keeps in memory
    /// (<see cref="SakipStateProjection.AgencyCapacity"/>; no limit unless set; about 0.3 MB each: docs/deployment.md "Memory").
    /// </summary>
    public static SakipCombinedProjection Configure(StoreOptions options, ReadModelSettings settings) =>
        SakipReadModels.Register(options, agencyCapacity: settings.AgenciesInMemory);

    /// <summary>The settings' names (read by <see cref="ReadModelSettings.From"/>).</summary>
    public const string AgencyCapacityKey = "Ledger:ReadModels:AgenciesInMemory";
    public const string ReleaseMemoryAfterKey = "Ledger:ReadModels:ReleaseMemoryAfterSeconds";
    public const int DefaultReleaseMemoryAfterSeconds = 300;

    /// <summary>The host's side: status for /health and the admin endpoints, and the admin's rebuilds.</summary>
    public static void AddReadModels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProjectionMonitor>();
        builder.Services.AddSingleton<ProjectionRebuilds>();
    }
}

/// <summary>
/// The read models' settings, read and checked once (at start, or by a command-line verb) before the database is
/// opened: a wrong value stops there, naming the setting. <see cref="AgenciesInMemory"/>:
/// <c>Ledger:ReadModels:AgenciesInMemory</c> (<see cref="SakipStateProjection.Unbounded"/> unless set);
/// <see cref="ReleaseMemoryAfter"/>: <c>Ledger:ReadModels:ReleaseMemoryAfterSeconds</c> (null: never).
/// </summary>
public sealed record ReadModelSettings(int AgenciesInMemory, TimeSpan? ReleaseMemoryAfter)
{
    public static ReadModelSettings From(IConfiguration configuration) =>
        new(AgencyCapacity(configuration), ReleaseMemoryAfterOf(configuration));

    /// <summary><c>Ledger:ReadModels:AgenciesInMemory</c> (at least 1), or no limit when it is not set.</summary>
    private static int AgencyCapacity(IConfiguration configuration)
    {
        const string key = ReadModelRegistration.AgencyCapacityKey;
        var value = configuration.GetValue(key, SakipStateProjection.Unbounded);
        return value >= 1 ? value : throw new InvalidOperationException(
            $"{key} must be at least 1 (agencies whose folded states the read models' daemon keeps in memory; leave it unset for no limit); it is {value}.");
    }

    /// <summary>
    /// <c>Ledger:ReadModels:ReleaseMemoryAfterSeconds</c>: how long a process whose daemon does not run the read models
    /// (it lost the leadership) keeps their folded agencies before forgetting them (<see cref="MemoryReleasePolicy"/>);
    /// <see cref="ReadModelRegistration.DefaultReleaseMemoryAfterSeconds"/> unless set, 0 = never. Null for never.
    /// </summary>
    private static TimeSpan? ReleaseMemoryAfterOf(IConfiguration configuration)
    {
        const string key = ReadModelRegistration.ReleaseMemoryAfterKey;
        var value = configuration.GetValue(key, (double)ReadModelRegistration.DefaultReleaseMemoryAfterSeconds);
        if (value < 0 || double.IsNaN(value) || double.IsInfinity(value))
            throw new InvalidOperationException(
                $"{key} must be 0 (never) or a number of seconds (how long a process that no longer runs the read models keeps their folded agencies in memory); it is {value}.");
        return value == 0 ? null : TimeSpan.FromSeconds(value);
    }
}
