using System.Text.Json;
using Ledger.Storage;

namespace Ledger.ReadModels.Tests;

/// <summary>Which aggregate a stream is, from its key and the event's agency (header, else the key's own).</summary>
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
    public void Of_StreamKeyAndAgency_GivesTheAggregateAndItsNumber(string stream, string agency, StreamKind kind, int number)
    {
        var key = StreamKey.Of(stream, agency);
        Assert.Equal(kind, key.Kind);
        Assert.Equal(number, key.Number);
        if (kind != StreamKind.Other) Assert.Equal(agency, key.Agency);
    }

    [Theory]
    [InlineData("agency-bkpsdm-a", "bkpsdm-a")]
    [InlineData("renstra-bkpsdm-a-2021", "bkpsdm-a")]
    [InlineData("year-dinas-kominfo-sub-2023", "dinas-kominfo-sub")]
    [InlineData("year-x-2023", "x")]
    [InlineData("year-2023", null)]
    [InlineData("agency-", null)]
    [InlineData("users", null)]
    [InlineData("evaluation-bkpsdm-a-2023", null)]
    public void AgencyOf_StreamKey_IsTheKeyUpToItsLastHyphen(string stream, string? agency) =>
        Assert.Equal(agency, StreamKey.AgencyOf(stream));

    [Fact]
    public void Of_Headers_TheAgencyHeaderWinsAndMustAgreeWithTheKey()
    {
        static Dictionary<string, object> Headers(string agency) =>
            new() { [EventHeaders.Agency] = JsonSerializer.SerializeToElement(agency) };

        Assert.Equal(new StreamKey(StreamKind.Year, "a-b", 2023), StreamKey.Of("year-a-b-2023", new Dictionary<string, object>())); // no header: from the key
        Assert.Equal(new StreamKey(StreamKind.Year, "a-b", 2023), StreamKey.Of("year-a-b-2023", Headers("a-b")));
        Assert.Equal(StreamKind.Other, StreamKey.Of("year-a-b-2023", Headers("a")).Kind); // a header naming another agency
        Assert.Equal(StreamKind.Other, StreamKey.Of("users", Headers("a")).Kind);

        // As Marten's read gives them now (EventHeadersConverter): the header is text.
        Assert.Equal(new StreamKey(StreamKind.Year, "a-b", 2023), StreamKey.Of("year-a-b-2023", new Dictionary<string, object> { [EventHeaders.Agency] = "a-b" }));
        Assert.Equal(StreamKind.Other, StreamKey.Of("year-a-b-2023", new Dictionary<string, object> { [EventHeaders.Agency] = "a" }).Kind);
    }
}
