using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Tests.ReadModels;
using Ledger.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// The service with a configured snapshot key (so another process, the <c>verify</c> verb or a second host,
/// authenticates the same rows) and a year stream snapshot every <paramref name="snapshotEvery"/> versions.
/// </summary>
public abstract class KeyedSnapshotsApiFactory(int snapshotEvery) : LedgerApiFactory
{
    public string SnapshotKeyHex { get; } = Convert.ToHexString(StreamSnapshots.NewKey());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ledger:SnapshotKey", SnapshotKeyHex);
        builder.ConfigureTestServices(s => s.AddSingleton(new ReadLoaderOptions { SnapshotEvery = snapshotEvery }));
    }
}

/// <summary>
/// A snapshot every <see cref="SnapshotEvery"/> events (so a short year stream has some), for the issue 11 tests of
/// verification over derived state; its own database, because those tests forge rows.
/// </summary>
public sealed class DerivedStateApiFactory() : KeyedSnapshotsApiFactory(SnapshotEvery)
{
    public const int SnapshotEvery = 3;

    /// <summary>The service role's own connections (what someone holding its credentials can do).</summary>
    public NpgsqlDataSource ServiceRoleDataSource() => NpgsqlDataSource.Create(LedgerMarten.ForLedger(Database.ServiceConnectionString(ServiceRole)));
}

/// <summary>Plain HTTP for the verification tests (GET /api/audit/verify, the admin rebuild) and the <c>verify</c> verb.</summary>
internal static class DerivedState
{
    public static async Task<JsonElement> VerifyAsync(LedgerApiFactory f) => await GetAsync(f, "/api/audit/verify");

    public static async Task<JsonElement> GetAsync(LedgerApiFactory f, string url, string token = LedgerApiFactory.AdminToken)
    {
        using var client = f.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POST /api/admin/projections/rebuild (all three), then waits until the job ended and the daemon caught up again.</summary>
    public static async Task RebuildAsync(LedgerApiFactory f)
    {
        using var client = f.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/projections/rebuild") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LedgerApiFactory.AdminToken);
        using var response = await client.SendAsync(request);
        Assert.Equal(202, (int)response.StatusCode);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var rebuild = (await GetAsync(f, "/api/admin/projections")).GetProperty("rebuild");
            if (rebuild.GetProperty("state").GetString() != "running")
            {
                Assert.Equal("succeeded", rebuild.GetProperty("state").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < until, "the rebuild did not finish in 60 s");
            await Task.Delay(100);
        }
        await ReadModelStory.CatchUpAsync(f);
    }

    public static List<JsonElement> Problems(this JsonElement verify, string stream) =>
        verify.GetProperty("problems").EnumerateArray().Where(p => p.GetProperty("stream").GetString() == stream).ToList();

    public static JsonElement ReadModel(this JsonElement verify, string table) =>
        verify.GetProperty("readModels").EnumerateArray().Single(t => t.GetProperty("table").GetString() == table);

    /// <summary>Runs the <c>verify</c> verb in-process as another process would: the service role, the service's snapshot key.</summary>
    public static async Task<(int Code, string Out)> VerifyCommandAsync(DerivedStateApiFactory f)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = f.Database.ServiceConnectionString(f.ServiceRole),
            ["ConnectionStrings:LedgerOwner"] = f.Database.OwnerConnectionString,
            ["Ledger:ServiceRole"] = f.ServiceRole,
            ["Ledger:SnapshotKey"] = f.SnapshotKeyHex,
        }).Build();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(["verify"], config, stdout, stderr);
        return (code, stdout + stderr.ToString());
    }
}
