using Ledger.Storage;
using Ledger.Importing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// <c>Ledger__Demo=true</c>: once the server listens, replay ops/datasets/surakarta-2023 and ops/datasets/paser-2025 through
/// the service's own HTTP API (loopback, bootstrap admin token), exactly as <c>dotnet run --project src/Ledger.Import</c>
/// would. Only on first start: skipped when the demo agencies already exist. Folder: <c>Ledger:DemoDatasets</c>, else the
/// nearest <c>ops/datasets</c> above the content root or the working directory.
/// </summary>
public static class DemoImport
{
    public static readonly string[] Datasets = ["surakarta-2023", "paser-2025"];

    public static void AddDemoImport(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("Ledger:Demo")) builder.Services.AddHostedService<DemoImporter>();
    }

    internal sealed class DemoImporter(
        IHostApplicationLifetime lifetime, IServer server, StreamLoader store, IConfiguration config, IWebHostEnvironment env,
        ILogger<DemoImporter> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var started = new TaskCompletionSource();
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await using (stoppingToken.Register(() => started.TrySetCanceled()))
            {
                try { await started.Task; }
                catch (TaskCanceledException) { return; }
            }
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Demo import failed.");
            }
        }

        private async Task RunAsync(CancellationToken ct)
        {
            var token = config["Ledger:BootstrapAdminToken"];
            if (string.IsNullOrEmpty(token))
            {
                log.LogWarning("Ledger:Demo is set but Ledger:BootstrapAdminToken is not: the demo import needs the admin token. Skipped.");
                return;
            }
            var folder = config["Ledger:DemoDatasets"] ?? Find(env.ContentRootPath) ?? Find(Directory.GetCurrentDirectory());
            if (folder is null)
            {
                log.LogWarning("Demo import: no ops/datasets folder found (set Ledger:DemoDatasets). Skipped.");
                return;
            }
            var datasets = Datasets.Select(d => DatasetLoader.Load(Path.Combine(folder, d))).ToList();
            var agencies = datasets.Select(d => d.Variables.GetValueOrDefault("agency")).OfType<string>().ToList();
            var existing = 0;
            foreach (var agency in agencies)
                if (await Features.Agencies.AgencyRecord.ExistsAsync(store, agency, null, ct)) existing++;
            if (existing == agencies.Count)
            {
                log.LogInformation("Demo import: {Agencies} already exist; nothing to do.", string.Join(", ", agencies));
                return;
            }
            var address = Ledger.Web.Api.ApiChannel.Loopback(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
            if (address is null)
            {
                log.LogWarning("Demo import: the server listens on no http address. Skipped.");
                return;
            }
            using var http = new HttpClient { BaseAddress = address };
            var report = await new DatasetImporter(http, token, new MemoryTokenStore()).ImportAsync(datasets, ct);
            if (report.Ok) log.LogInformation("Demo import from {Folder}: {Summary}", folder, report.Summary());
            else log.LogError("Demo import from {Folder} refused steps: {Summary}", folder, report.Summary());
        }

        private static string? Find(string start)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "ops", "datasets");
                if (Directory.Exists(candidate)) return candidate;
            }
            return null;
        }
    }
}
