using Alba;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 12, item 7: a misspelt optional field (<c>evidance</c>) was dropped silently with a 200, and the evidence an
/// auditor needs with it. A property the body does not declare is now refused, 400 naming it, and nothing is written;
/// every write body declares <c>reason</c> (api.md: "Each write may carry reason"), which reaches the events.
/// </summary>
public sealed class Defect_UnknownFields(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData("evidance")]
    [InlineData("evidenceUrl")]
    [InlineData("claimedcapaian_")]
    public async Task Realization_WithAMisspeltField_Is400NamingIt_AndWritesNothing(string misspelt)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var before = await Surakarta.CountAllEventsAsync(f);
        var body = new Dictionary<string, object> { ["indicator"] = "I2", ["year"] = 2023, ["period"] = "Y", ["value"] = 80m, [misspelt] = "SIMPEG" };

        var r = await s.PostAsync(s.Staff, "realizations", body, 400);

        Assert.Contains("is not a field of this request", r.JsonAt($"errors.{misspelt}[0]").GetString());
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task NestedUnknownField_IsNamedByItsPath()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var r = await s.PostAsync(s.Approver, "pk/2023", new
        {
            signedOn = "2023-01-31", signer = new { name = "Kepala", nip = "19800412 200003 1 003", position = "Kepala Badan", jabatan = "x" },
            targets = new object[] { new { indicator = "I2", target = 90m } },
        }, 400);
        Assert.Contains("signer.jabatan", r.Text);
    }

    [Fact]
    public async Task RatingScaleAndAgency_AcceptAReason_WhichTheEventsCarry()
    {
        var code = ApiClient.NewAgencyCode();
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { code, name = "BKPSDM", reason = "Perda 5/2016 pembentukan perangkat daerah" }).ToUrl("/api/agencies");
            x.StatusCodeShouldBe(201);
        });
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Put.Json(new
            {
                name = "Skala LKjIP", effectiveFromYear = 2023, reason = "Perwali 29/2021",
                bands = new object[] { new { label = "Sangat Berhasil", min = 85m, minInclusive = false, max = (decimal?)null, maxInclusive = false },
                                       new { label = "Kurang", min = (decimal?)null, minInclusive = false, max = 85m, maxInclusive = true } },
            }).ToUrl($"/api/agencies/{code}/rating-scale");
            x.StatusCodeShouldBe(200);
        });

        var events = await f.PayloadsAsync($"agency-{code}");
        Assert.Equal(2, events.Count);
        Assert.Contains("Perda 5/2016", events[0].Reason);
        Assert.Contains("Perwali 29/2021", events[1].Reason);
    }
}
