using Ledger.Api.Infrastructure;
using Ledger.Audit;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Cold start (issue 11, &lt; 3 s): a restart of the same build on a database it migrated skips Marten's schema comparison
/// and Wolverine's table check (<see cref="SchemaFingerprints"/>); a new build or DDL, or <c>Ledger__SchemaCheck=full</c>,
/// compares and repairs. The audit layer is checked on every start either way.
/// </summary>
public sealed class SchemaFingerprintTests
{
    // What only Marten's comparison (the unique index on event ids) and Wolverine's migration (its deduplicated responses)
    // create: dropped behind the service's back, they show which start compared.
    private const string MartenIndex = "ledger.idx_mt_events_event_id", WolverineTable = "wolverine.wolverine_deduplicated_responses";

    [Fact]
    public async Task A_restart_of_the_same_build_skips_the_comparisons_and_a_full_check_or_a_changed_fingerprint_repairs()
    {
        await using var db = await TestCluster.CreateEmptyDatabaseAsync("fingerprint");
        var role = await db.CreateLoginRoleAsync();

        await StartAsync(db, role, schemaCheck: null);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM public.schema_fingerprints WHERE component IN ('marten', 'wolverine')"));
        Assert.True(await ExistsAsync(db, MartenIndex));
        Assert.True(await ExistsAsync(db, WolverineTable));

        // Same build, same DDL: nothing compared, so what was dropped stays dropped; the audit layer is still checked.
        await db.ScalarAsync<int>($"DROP INDEX {MartenIndex}; DROP TABLE {WolverineTable}; SELECT 1");
        var problems = await StartAsync(db, role, schemaCheck: null);
        Assert.Empty(problems);
        Assert.False(await ExistsAsync(db, MartenIndex));
        Assert.False(await ExistsAsync(db, WolverineTable));

        // Ledger__SchemaCheck=full compares and repairs both.
        await StartAsync(db, role, schemaCheck: "full");
        Assert.True(await ExistsAsync(db, MartenIndex));
        Assert.True(await ExistsAsync(db, WolverineTable));

        // A fingerprint that is not this build's (another version migrated the database last) compares and repairs too,
        // and records this build's.
        await db.ScalarAsync<int>($"DROP INDEX {MartenIndex}; DROP TABLE {WolverineTable}; UPDATE public.schema_fingerprints SET fingerprint = 'other build'; SELECT 1");
        await StartAsync(db, role, schemaCheck: "fingerprint");
        Assert.True(await ExistsAsync(db, MartenIndex));
        Assert.True(await ExistsAsync(db, WolverineTable));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM public.schema_fingerprints WHERE fingerprint = 'other build'"));
    }

    [Fact]
    public async Task A_changed_Marten_configuration_is_compared_even_when_a_fingerprint_is_recorded()
    {
        await using var db = await TestCluster.CreateEmptyDatabaseAsync("fingerprint-ddl");
        await LedgerSchema.MigrateAsync(db.OwnerConnectionString, check: SchemaCheck.Fingerprint);
        Assert.Empty(await LedgerSchema.MigrateAsync(db.OwnerConnectionString, check: SchemaCheck.Fingerprint));

        // One more document type: another DDL, so another fingerprint, so Marten's comparison runs and creates its table.
        var applied = await LedgerSchema.MigrateAsync(db.OwnerConnectionString, o => o.Schema.For<ProbeDocument>(), check: SchemaCheck.Fingerprint);
        Assert.Contains(applied, a => a.StartsWith("marten schema", StringComparison.Ordinal));
        Assert.True(await ExistsAsync(db, "ledger.mt_doc_schemafingerprinttests_probedocument"));
    }

    [Fact]
    public void An_unknown_schema_check_setting_is_refused_with_the_setting_and_the_values_it_takes()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:SchemaCheck"] = "sometimes" }).Build();
        var refused = Assert.Throws<StartupRefusedException>(() => LedgerDatabase.SchemaCheckFrom(config));
        Assert.Contains("Ledger__SchemaCheck", refused.Message);
        Assert.Contains("'full'", refused.Message);
        Assert.Equal(SchemaCheck.Fingerprint, LedgerDatabase.SchemaCheckFrom(new ConfigurationBuilder().Build()));
    }

    public sealed class ProbeDocument
    {
        public string Id { get; set; } = "";
    }

    /// <summary>What the service does at start: open (migrations), then Wolverine's tables, then the audit layer's check.</summary>
    private static async Task<IReadOnlyList<string>> StartAsync(TestDatabase db, string role, string? schemaCheck)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = db.ServiceConnectionString(role),
            ["ConnectionStrings:LedgerOwner"] = db.OwnerConnectionString,
            ["Ledger:ServiceRole"] = role,
            ["Ledger:SnapshotKey"] = ServiceProcess.SnapshotKey,
            ["Ledger:SchemaCheck"] = schemaCheck,
        }).Build();
        await using var database = await LedgerDatabase.OpenAsync(config, NullLogger.Instance);
        await database.MigrateWolverineAsync(role, CancellationToken.None);
        return await AuditSchema.CheckAsync(database.Service);
    }

    private static Task<bool> ExistsAsync(TestDatabase db, string relation) =>
        db.ScalarAsync<bool>("SELECT to_regclass(@t) IS NOT NULL", ("t", relation));
}
