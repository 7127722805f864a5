using Ledger.ReadModels;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>Which aggregate a stream is, from its name and tenant (compared in place since issue 4's rebuild work).</summary>
public sealed class StreamKeyTests
{
    [Theory]
    [InlineData("agency-bkpsdm-a", "bkpsdm-a", StreamKind.Agency, 0)]
    [InlineData("renstra-bkpsdm-a-2021", "bkpsdm-a", StreamKind.Renstra, 2021)]
    [InlineData("year-bkpsdm-a-2023", "bkpsdm-a", StreamKind.Year, 2023)]
    [InlineData("year-bkpsdm-a-2023", "bkpsdm-b", StreamKind.Other, 0)]
    [InlineData("year-bkpsdm-a-", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("year-bkpsdm-a", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("year-bkpsdm-a-20x3", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("year-bkpsdm-a-+2023", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("year-bkpsdm-ab2023", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("agency-bkpsdm-ab", "bkpsdm-a", StreamKind.Other, 0)]
    [InlineData("agency-bkpsdm-a", "", StreamKind.Other, 0)]
    [InlineData("evaluation-bkpsdm-a-2023", "bkpsdm-a", StreamKind.Other, 0)]
    public void Of_StreamNameAndTenant_GivesTheAggregateAndItsNumber(string stream, string tenant, StreamKind kind, int number)
    {
        var key = StreamKey.Of(stream, tenant);
        Assert.Equal(kind, key.Kind);
        Assert.Equal(number, key.Number);
        if (kind != StreamKind.Other) Assert.Equal(tenant, key.Agency);
    }
}
