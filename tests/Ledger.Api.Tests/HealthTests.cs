using Alba;
using Ledger.Testing.Postgres;

namespace Ledger.Api.Tests;

public sealed class HealthTests(LedgerApiFactory factory) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task GetHealth_DatabaseUp_Returns200()
    {
        await factory.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBe(200);
            s.JsonPath("status").ShouldBe("ok");
        });
    }

    [Fact]
    public async Task GetHealth_DatabaseDown_Returns503ProblemDetails()
    {
        // Terminate every connection of this test's database and forbid new ones: the service must say so, not crash.
        await using var admin = Npgsql.NpgsqlDataSource.Create(await TestCluster.AdminConnectionStringAsync());
        await using (var cmd = admin.CreateCommand(
            $"ALTER DATABASE \"{factory.Database.Name}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{factory.Database.Name}';"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        try
        {
            await factory.Scenario(s =>
            {
                s.Get.Url("/health");
                s.ShouldReturnProblemDetails(503);
            });
        }
        finally
        {
            await using var restore = admin.CreateCommand($"ALTER DATABASE \"{factory.Database.Name}\" ALLOW_CONNECTIONS true");
            await restore.ExecuteNonQueryAsync();
        }
    }
}
