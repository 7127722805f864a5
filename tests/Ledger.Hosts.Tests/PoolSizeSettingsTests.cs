using Ledger.Storage;
using Npgsql;

namespace Ledger.Hosts.Tests;

/// <summary>Every Ledger connection string gets a bounded pool unless it chose its own size (issue 13, bursts of reads).</summary>
public sealed class PoolSizeSettingsTests
{
    [Fact]
    public void ForLedger_bounds_the_pool_and_keeps_a_connection_strings_own_size_in_any_spelling()
    {
        Assert.Equal(LedgerMarten.DefaultMaxPoolSize, new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;Database=ledger")).MaxPoolSize);
        // Below Npgsql's 100 (the point of the default) on any machine under 25 cores; it grows with the cores past that.
        Assert.InRange(LedgerMarten.DefaultMaxPoolSize, 16, Math.Max(99, 4 * Environment.ProcessorCount));
        Assert.Equal(100, new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;Maximum Pool Size=100")).MaxPoolSize);
        Assert.Equal(3, new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;maximum pool size=3")).MaxPoolSize);
        Assert.Equal(250, new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;MaxPoolSize=250")).MaxPoolSize);
        // Applying it twice (the service names its connection string, Marten applies it again) changes nothing.
        var once = LedgerMarten.ForLedger("Host=db");
        Assert.Equal(once, LedgerMarten.ForLedger(once));
    }
}
