namespace Ledger.Api.Tests.Writes;

/// <summary>Who may call each write endpoint (Authorization.cs): 403 problem details and nothing written otherwise.</summary>
public sealed class WriteAuthorizationTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    // pk/2023/revisions is not here: staff may post it (a proposal, 202); Workflow/PkRevisionWorkflowTests covers who may do what.
    public static TheoryData<string> SignEndpoints => ["pk/2023", "years/2023/close"];

    [Theory]
    [MemberData(nameof(SignEndpoints))]
    public async Task SignEndpoint_AsStaffOrAdmin_Returns403(string path)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var body = path.StartsWith("pk/2023/", StringComparison.Ordinal) ? Surakarta.PkPerubahan : path.StartsWith("pk", StringComparison.Ordinal) ? Surakarta.PkMurni : new { };
        var before = await Surakarta.CountAllEventsAsync(f);

        var staff = await s.PostAsync(s.Staff, path, body, 403);
        await s.PostAsync(LedgerApiFactory.AdminToken, path, body, 403);

        Assert.Contains("approver", staff.Text, StringComparison.Ordinal);
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    public static TheoryData<string> WriteEndpoints =>
    [
        "renstra", "renstra/2021/indicators", "renstra/2021/revisions", "pk/2023", "pk/2023/revisions", "realizations",
        "realizations/corrections", "budget/2023", "budget/2023/revisions", "budget/2023/spending", "years/2023/close",
    ];

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task WriteEndpoint_AsAnotherAgencysStaffApproverOrAsInspektorat_Returns403(string path)
    {
        var mine = await Surakarta.WithRenstraAsync(f);
        var other = await Surakarta.RegisterAsync(f);
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektorat Kota Surakarta");
        var before = await Surakarta.CountAllEventsAsync(f);

        // The bodies do not matter: authorization answers before the body is read.
        await mine.PostAsync(other.Staff, path, new { }, 403);
        await mine.PostAsync(other.Approver, path, new { }, 403);
        await mine.PostAsync(inspektorat, path, new { }, 403);

        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task SignPk_AsTheAgencysApprover_Returns201()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var result = await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        Assert.Equal($"year-{s.Agency}-2023", result.JsonAt("streamId").GetString());
    }
}
