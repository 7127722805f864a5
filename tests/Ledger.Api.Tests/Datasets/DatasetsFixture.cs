using System.Text.Json;
using Ledger.Importing;

namespace Ledger.Api.Tests.Datasets;

/// <summary>
/// Both datasets of ops/datasets, replayed once through the importer in-process (the real API on a clean database).
/// </summary>
public sealed class DatasetsFixture : IAsyncLifetime
{
    public LedgerApiFactory Factory { get; } = new();
    public MemoryTokenStore Tokens { get; } = new();
    public ImportReport FirstRun { get; private set; } = null!;
    public long EventsAfterFirstRun { get; private set; }
    public IReadOnlyList<Dataset> Datasets { get; private set; } = [];

    public static string DatasetFolder(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Ledger.sln not found above the test binaries."),
            "ops", "datasets", name);
    }

    public static IReadOnlyList<Dataset> Load() =>
        [DatasetLoader.Load(DatasetFolder("surakarta-2023")), DatasetLoader.Load(DatasetFolder("paser-2025"))];

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Factory).InitializeAsync();
        Datasets = Load();
        FirstRun = await Importer().ImportAsync(Datasets);
        EventsAfterFirstRun = await Writes.Surakarta.CountAllEventsAsync(Factory);
    }

    public DatasetImporter Importer() => new(Factory.CreateClient(), LedgerApiFactory.AdminToken, Tokens);

    public async Task<JsonElement> GetAsync(string path)
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)Factory).DisposeAsync();
}
