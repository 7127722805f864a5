using System.Text.Json;
using Ledger.Importing;

namespace Ledger.Api.Tests.Datasets;

/// <summary>
/// Issue 12 item 7 (last bullet): running the importer again with a new token file created duplicate users. Now the
/// second run finds the users the first created (GET /api/users) and has a new token issued for each
/// (POST /api/users/{id}/token), so it acts as the same users and its steps are answered from the idempotency store.
/// Its own database: the rotation invalidates the first run's tokens, which DatasetImportTests' fixture keeps.
/// </summary>
public sealed class DatasetReimportTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private async Task<int> CountAsync(string type) =>
        (int)await f.Database.ScalarAsync<long>($"SELECT count(*) FROM ledger.mt_events WHERE type = '{type}'");

    [Fact]
    public async Task ImportTwice_WithTwoDifferentTokenFiles_CreatesNoNewUsers_AndTheSecondRunsStepsSucceed()
    {
        var dataset = DatasetLoader.Load(DatasetsFixture.DatasetFolder("surakarta-2023"));
        var userSteps = dataset.Steps.Count(s => s.UserKey is not null);
        Assert.True(userSteps >= 2);

        var firstTokens = new KeptTokens();
        var first = await new DatasetImporter(f.CreateClient(), LedgerApiFactory.AdminToken, firstTokens).ImportAsync(dataset);
        Assert.True(first.Ok, first.Summary());
        var usersAfterFirst = await CountAsync("user.created.v1");
        Assert.Equal(userSteps, usersAfterFirst);
        var eventsAfterFirst = await f.EventCountAsync();

        var secondTokens = new KeptTokens();
        var second = await new DatasetImporter(f.CreateClient(), LedgerApiFactory.AdminToken, secondTokens).ImportAsync(dataset);
        Assert.True(second.Ok, second.Summary());
        Assert.Equal(0, second.Accepted);
        Assert.Equal(first.Accepted, second.Replayed);
        Assert.Equal(first.RefusedAsExpected, second.RefusedAsExpected);

        // No new user; one new token per user step, and nothing else written.
        Assert.Equal(usersAfterFirst, await CountAsync("user.created.v1"));
        Assert.Equal(userSteps, await CountAsync("user.token-issued.v1"));
        Assert.Equal(eventsAfterFirst + userSteps, await f.EventCountAsync());

        // The second file's tokens act as the users the first run created; the first file's no longer work.
        using var client = f.CreateClient();
        Assert.Equal(userSteps, secondTokens.Keys.Count);
        Assert.Equal(firstTokens.Keys.Order(), secondTokens.Keys.Order());
        foreach (var key in secondTokens.Keys)
        {
            Assert.Null(await MeAsync(client, firstTokens.Get(key)!));
            var me = await MeAsync(client, secondTokens.Get(key)!);
            Assert.NotNull(me);
            Assert.Contains(dataset.Steps, s => s.UserKey is not null && s.Body!["name"]!.GetValue<string>() == me.Value.GetProperty("name").GetString()
                                               && s.Body!["role"]!.GetValue<string>() == me.Value.GetProperty("role").GetString());
        }

        // A third run with the second file: the kept tokens still work, nothing is issued or written.
        var third = await new DatasetImporter(f.CreateClient(), LedgerApiFactory.AdminToken, secondTokens).ImportAsync(dataset);
        Assert.True(third.Ok, third.Summary());
        Assert.Equal(eventsAfterFirst + userSteps, await f.EventCountAsync());
    }

    /// <summary>A token file in memory that says which keys it holds.</summary>
    private sealed class KeptTokens : ITokenStore
    {
        private readonly MemoryTokenStore _inner = new();
        public List<string> Keys { get; } = [];
        public string? Get(string key) => _inner.Get(key);
        public void Set(string key, string token)
        {
            if (!Keys.Contains(key)) Keys.Add(key);
            _inner.Set(key, token);
        }
    }

    private static async Task<JsonElement?> MeAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : null;
    }
}
