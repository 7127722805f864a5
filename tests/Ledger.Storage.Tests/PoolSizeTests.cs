using Npgsql;

namespace Ledger.Storage.Tests;

/// <summary>
/// The bounded pool of <see cref="LedgerMarten.ForLedger"/> on a real PostgreSQL: a burst of three times as many
/// statements as the pool allows all complete, and PostgreSQL never sees more of the pool's connections than its size
/// (the rest wait for a free connection instead of each opening a backend).
/// </summary>
public sealed class PoolSizeTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    [Fact]
    public async Task ABurstWaitsForThePoolsConnections_NeverOpensMoreThanItsSize_AndEveryStatementCompletes()
    {
        const string name = "ledger-pool-size-test";
        var cs = LedgerMarten.ForLedger(new NpgsqlConnectionStringBuilder(fx.ServiceConnectionString) { ApplicationName = name }.ConnectionString);
        var size = new NpgsqlConnectionStringBuilder(cs).MaxPoolSize;
        Assert.Equal(LedgerMarten.DefaultMaxPoolSize, size);

        await using var pool = NpgsqlDataSource.Create(cs);
        var peak = 0;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var count = fx.Service.CreateCommand("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1");
                count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                peak = Math.Max(peak, (int)(await count.ExecuteScalarAsync())!);
                await Task.Delay(10);
            }
        });

        var burst = 3 * size;
        var answers = await Task.WhenAll(Enumerable.Range(0, burst).Select(i => Task.Run(async () =>
        {
            await using var sleep = pool.CreateCommand("SELECT $1 FROM pg_sleep(0.15)");
            sleep.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i });
            return (int)(await sleep.ExecuteScalarAsync())!;
        })));
        await stop.CancelAsync();
        await watch;

        Assert.Equal(Enumerable.Range(0, burst), answers.Order());
        Assert.InRange(peak, 2, size);
    }
}
