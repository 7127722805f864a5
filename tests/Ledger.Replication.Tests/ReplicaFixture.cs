using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ledger.Storage;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ledger.Replication.Tests;

[CollectionDefinition(Name)]
public sealed class ReplicaCollection : ICollectionFixture<ReplicaFixture>
{
    public const string Name = "replica";
}

/// <summary>
/// One replicated cluster (<see cref="PatroniCluster"/>) and one service process on it, configured as docs/replication.md
/// says: multi-host connection strings (<c>Target Session Attributes=primary</c>) for the service and the owner, and the
/// standby for reads. Shared by the tests of the collection; each test first makes sure both nodes run
/// (<see cref="EnsureBothNodesAsync"/>).
/// </summary>
public sealed class ReplicaFixture(IMessageSink sink) : IAsyncLifetime
{
    public PatroniCluster Cluster { get; private set; } = null!;
    public ServiceProcess Service { get; private set; } = null!;
    public NpgsqlDataSource Owner { get; private set; } = null!;

    /// <summary>Seconds from the start of the fixture to a healthy cluster and service (for the report).</summary>
    public double StartSeconds { get; private set; }

    public void Log(string line) => sink.OnMessage(new DiagnosticMessage($"[replica] {line}"));

    /// <summary>A test's log: each line to the test's output (with the time) and to <see cref="Log"/>.</summary>
    public Action<string> SayTo(ITestOutputHelper output) => line =>
    {
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        Log(line);
    };

    public async Task InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Cluster = await PatroniCluster.StartAsync(Log);
        try
        {
            Log($"cluster up after {clock.Elapsed.TotalSeconds:F1} s:\n{await Cluster.StatusAsync()}");
            Owner = NpgsqlDataSource.Create(Cluster.Owner);
            Service = ServiceProcess.Start("replica", Cluster.Service, Cluster.Owner, "ledger_app", more: new Dictionary<string, string>
            {
                ["ConnectionStrings__LedgerStandby"] = Cluster.Standby,
                ["Logging__LogLevel__Ledger.Replication"] = "Information",
            });
            await Service.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await DisposeAsync(); // the cluster and the service go even when set-up fails
            throw;
        }
        StartSeconds = clock.Elapsed.TotalSeconds;
        Log($"service healthy after {StartSeconds:F1} s");
    }

    /// <summary>Starts any node that is not running and waits for a leader with a streaming synchronous standby.</summary>
    public async Task EnsureBothNodesAsync(Action<string> log)
    {
        foreach (var node in new[] { "node1", "node2" })
        {
            var pidFile = Path.Combine(Cluster.Dir, node, "pid");
            if (File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture, out var pid)
                && Directory.Exists($"/proc/{pid}")) continue;
            await Cluster.StartNodeAsync(node, log);
        }
        await Cluster.WaitHealthyAsync(log, TimeSpan.FromSeconds(60));
    }

    private int _disposed;

    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (Service is not null) await Service.DisposeAsync();
            if (Owner is not null) await Owner.DisposeAsync();
        }
        finally
        {
            if (Cluster is not null) await Cluster.DisposeAsync();
        }
    }
}

/// <summary>One HTTP answer with the headers the replication tests look at.</summary>
public sealed record Answer(int Status, string Body, string? Lsn, string? ReadFrom, string? RetryAfter, string? ContentType, string? Transport)
{
    public bool Ok => Status is >= 200 and < 300;
}

public static class Http
{
    public static async Task<Answer> SendAsync(ServiceProcess host, HttpMethod method, string token, string path, object? body = null,
        string? idempotencyKey = null, string? minLsn = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: LedgerJson.Options);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (minLsn is not null) request.Headers.Add("Ledger-Min-Lsn", minLsn);
        try
        {
            using var response = await host.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            string? H(string name) => response.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;
            return new Answer((int)response.StatusCode, text, H("Ledger-Lsn"), H("Ledger-Read-From"),
                response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Answer(0, "", null, null, null, null, e.GetType().Name + ": " + e.Message);
        }
    }
}
