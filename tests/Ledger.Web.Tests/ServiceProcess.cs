using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Ledger.Testing.Postgres;
using Hosts = Ledger.Testing.Hosts.ServiceProcess;

namespace Ledger.Web.Tests;

/// <summary>
/// The real service as a child process on a free loopback port (a browser needs a real socket), on a fresh database of
/// the test cluster, with the demo datasets imported by the service itself (<c>Ledger__Demo=true</c>), exactly as a
/// newcomer runs it. Users for the tests are created through the API with the bootstrap admin token.
/// </summary>
public sealed class ServiceProcess : IAsyncLifetime
{
    public const string AdminToken = "web-test-admin-token";
    public const string Surakarta = "bkpsdm-surakarta";
    public const string Paser = "bkpsdm-paser";

    private Process? _process;
    private TestDatabase? _database;
    private readonly StringBuilder _output = new();

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string StaffToken { get; private set; } = "";
    public string ApproverToken { get; private set; } = "";
    public string InspektoratToken { get; private set; } = "";

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task InitializeAsync()
    {
        var database = _database = await TestCluster.CreateEmptyDatabaseAsync("web");
        var role = await database.CreateLoginRoleAsync();
        var port = Hosts.FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        var api = Hosts.FindService();
        var environment = Hosts.DeploymentEnvironment(database.ServiceConnectionString(role), database.OwnerConnectionString, role, AdminToken, new string('b', 64));
        environment["Ledger__Demo"] = "true";
        environment["Ledger__DemoDatasets"] = Path.Combine(Hosts.RepositoryRoot(), "ops", "datasets");
        environment["Logging__LogLevel__Microsoft.AspNetCore.Diagnostics"] = "Error";
        environment["Logging__LogLevel__Ledger.Api.Infrastructure.DemoImport"] = "Information";
        (_process, _) = Hosts.Launch(api, BaseAddress.ToString().TrimEnd('/'), environment, line => { lock (_output) _output.AppendLine(line); });

        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var started = Stopwatch.StartNew();
        while (!Output.Contains("Demo import from", StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited ({_process.ExitCode}):\n{Output}");
            if (started.Elapsed > TimeSpan.FromSeconds(180)) throw new TimeoutException($"The demo import did not finish in 180 s:\n{Output}");
            await Task.Delay(200);
        }
        if (Output.Contains("refused unexpectedly: 0", StringComparison.Ordinal) is false)
            throw new InvalidOperationException($"The demo import refused steps:\n{Output}");

        StaffToken = await CreateUserAsync("Sri Rahayu (uji)", "staff", Surakarta);
        ApproverToken = await CreateUserAsync("Bambang Wijaya (uji)", "approver", Surakarta);
        InspektoratToken = await CreateUserAsync("Auditor Inspektorat (uji)", "inspektorat", null);
    }

    private async Task<string> CreateUserAsync(string name, string role, string? agency)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = JsonContent.Create(new { name, nip = "198001012005011001", role, agency }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        if (response.StatusCode != HttpStatusCode.Created && response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"Creating {role} answered {(int)response.StatusCode}: {body}");
        return body.GetProperty("token").GetString()!;
    }

    /// <summary>An API read with a token (to check what the pages claim against the API itself).</summary>
    public async Task<System.Text.Json.JsonElement> ReadAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }

    /// <summary>An API write with a token (set-up the pages do not offer); throws unless 2xx.</summary>
    public async Task<System.Text.Json.JsonElement> PostAsync(string path, string token, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var answer = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {answer}");
        return answer;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        _process?.Dispose();
        // The service's own log, for a failing test's reader (beside the test results).
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "service-output.log"), Output);
        if (_database is not null) await _database.DisposeAsync();
    }
}
