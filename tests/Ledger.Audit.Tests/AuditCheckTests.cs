using Ledger.Testing.Postgres;

namespace Ledger.Audit.Tests;

/// <summary>
/// The start-up check: the service refuses to serve when an audit trigger is missing or disabled, when Marten dropped a
/// metadata column, or when its role was given a right that would undo append-only. Each case on its own database.
/// </summary>
public sealed class AuditCheckTests
{
    [Fact]
    public async Task Check_FreshDatabase_ReportsNothing()
    {
        var fx = new LedgerFixture();
        await fx.InitializeAsync();
        await using var _ = fx.AsDisposable();
        Assert.Empty(await AuditSchema.CheckAsync(fx.Service));
    }

    [Theory]
    [InlineData("ALTER TABLE ledger.mt_streams DISABLE TRIGGER ledger_seal", "ledger_seal on ledger.mt_streams is disabled")]
    [InlineData("DROP TRIGGER ledger_append_only ON ledger.mt_events", "ledger_append_only on ledger.mt_events is missing")]
    [InlineData("DROP TRIGGER ledger_no_truncate ON ledger_audit.event_hashes", "ledger_no_truncate on ledger_audit.event_hashes is missing")]
    [InlineData("ALTER FUNCTION ledger_audit.seal_stream() SECURITY INVOKER", "SECURITY DEFINER")]
    [InlineData("ALTER TABLE ledger.mt_events DROP CONSTRAINT ledger_no_tombstone_events", "ledger_no_tombstone_events on ledger.mt_events is missing")]
    [InlineData("ALTER TABLE ledger.mt_streams DROP CONSTRAINT ledger_no_tombstone_stream", "ledger_no_tombstone_stream on ledger.mt_streams is missing")]
    [InlineData("ALTER TABLE ledger.mt_events DROP COLUMN headers CASCADE", "ledger.mt_events.headers is missing")]
    [InlineData("GRANT UPDATE ON ledger.mt_events TO {role}", "may UPDATE events")]
    [InlineData("GRANT INSERT ON ledger_audit.event_hashes TO {role}", "may INSERT chain hashes")]
    [InlineData("GRANT DELETE ON ledger.mt_streams TO {role}", "may DELETE stream rows")]
    [InlineData("GRANT CREATE ON SCHEMA ledger TO {role}", "may CREATE in schema ledger")]
    [InlineData("DROP TRIGGER ledger_append_only ON ledger_audit.log_heads", "ledger_append_only on ledger_audit.log_heads is missing")]
    [InlineData("GRANT INSERT ON ledger_audit.log_heads TO {role}", "may INSERT log heads")]
    public async Task Check_AfterABreakingChange_ReportsIt(string change, string expected)
    {
        var fx = new LedgerFixture();
        await fx.InitializeAsync();
        await using var _ = fx.AsDisposable();
        var role = new Npgsql.NpgsqlConnectionStringBuilder(fx.ServiceConnectionString).Username!;
        await using (var cmd = fx.Database.Owner.CreateCommand(change.Replace("{role}", AuditSchema.Quote(role))))
            await cmd.ExecuteNonQueryAsync();

        var problems = await AuditSchema.CheckAsync(fx.Service);
        Assert.Contains(problems, p => p.Contains(expected));
    }
}
