using Alba;

namespace Ledger.Api.Tests.Reads;

/// <summary>Every read needs Access.Read on the route's agency: own agency for staff/approver, any for inspektorat and admin.</summary>
public sealed class ReadAuthorizationTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    public static TheoryData<string> Reads => new()
    {
        "/api/agencies/{0}/indicators/I1?year=2023",
        "/api/agencies/{0}/pk/2023",
        "/api/agencies/{0}/pk/2023/diff?from=0&to=1",
        "/api/agencies/{0}/performance/2023",
    };

    private async Task<string> SeededAgencyAsync()
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        return agency;
    }

    private Task Expect(string url, string? token, int status) => f.Scenario(s =>
    {
        if (token is not null) s.WithBearerToken(token);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Read_StaffOfAnotherAgency_Returns403ButOwnStaffGets200(string path)
    {
        var agency = await SeededAgencyAsync();
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(other);
        var outsider = await f.CreateUserAsync("staff", other);
        var insider = await f.CreateUserAsync("approver", agency);

        await Expect(string.Format(path, agency), outsider, 403);
        await Expect(string.Format(path, agency), insider, 200);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Read_AsInspektorat_Returns200(string path)
    {
        var agency = await SeededAgencyAsync();
        var inspektorat = await f.CreateUserAsync("inspektorat", null);
        await Expect(string.Format(path, agency), inspektorat, 200);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Read_WithoutToken_Returns401(string path)
    {
        var agency = await SeededAgencyAsync();
        await Expect(string.Format(path, agency), null, 401);
    }
}
