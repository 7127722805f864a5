using Ledger.Api.Infrastructure;
using Ledger.ReadModels;
using Marten;
using Microsoft.Extensions.Configuration;

namespace Ledger.Hosts.Tests;

/// <summary>
/// <c>Ledger:ReadModels:AgenciesInMemory</c>: how many agencies' folded states the read models' daemon keeps (no limit
/// unless set; docs/deployment.md "Memory"), passed to the registered projection.
/// </summary>
public sealed class ReadModelMemorySettingsTests
{
    private static IConfiguration With(string? value) => new ConfigurationBuilder()
        .AddInMemoryCollection(value is null ? [] : new Dictionary<string, string?> { [ReadModelRegistration.AgencyCapacityKey] = value })
        .Build();

    [Fact]
    public void AgenciesInMemory_unset_is_no_limit_a_number_is_the_limit_and_below_one_is_refused_naming_the_setting()
    {
        Assert.Equal(SakipStateProjection.Unbounded, ReadModelSettings.From(With(null)).AgenciesInMemory);
        Assert.Equal(300, ReadModelSettings.From(With("300")).AgenciesInMemory);
        var refused = Assert.Throws<InvalidOperationException>(() => ReadModelSettings.From(With("0")));
        Assert.Contains(ReadModelRegistration.AgencyCapacityKey, refused.Message);
    }

    [Fact]
    public void Register_gives_the_limit_to_the_state_part_of_the_projection()
    {
        Assert.Equal(7, SakipReadModels.Register(new StoreOptions(), agencyCapacity: 7).State.AgencyCapacity);
        Assert.Equal(SakipStateProjection.Unbounded, SakipReadModels.Register(new StoreOptions()).State.AgencyCapacity);
    }
}
