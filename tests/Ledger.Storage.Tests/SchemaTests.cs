using Ledger.Audit;

namespace Ledger.Storage.Tests;

/// <summary>The bootstrap of a Ledger database (<see cref="LedgerSchema"/>), ported from the old store's migration test.</summary>
public sealed class SchemaTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    [Fact]
    public async Task Migrate_RunAgainOnAMigratedDatabase_AppliesNothing_AndTheServiceRoleCheckStillPasses()
    {
        Assert.Empty(await LedgerSchema.MigrateAsync(fx.Database.OwnerConnectionString));
        await LedgerSchema.GrantServiceRoleAsync(fx.Database.Owner, new Npgsql.NpgsqlConnectionStringBuilder(fx.ServiceConnectionString).Username!);
        Assert.Empty(await AuditSchema.CheckAsync(fx.Service));
    }
}
