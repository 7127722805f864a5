using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ledger.Testing.Hosts;

/// <summary>The service processes requests may go to now (a killed one is taken out before the kill; a restarted one added).</summary>
public sealed class HostPool
{
    private readonly Lock _lock = new();
    private readonly List<ServiceProcess> _live = [];
    private readonly List<(string Host, DateTime At)> _kills = [];

    public HostPool(IEnumerable<ServiceProcess> hosts) => _live.AddRange(hosts);

    public IReadOnlyList<ServiceProcess> Live { get { lock (_lock) return _live.ToList(); } }

    /// <summary>Every kill so far: which process, when (UTC).</summary>
    public IReadOnlyList<(string Host, DateTime At)> Kills { get { lock (_lock) return _kills.ToList(); } }

    public ServiceProcess Pick(Random rng)
    {
        lock (_lock)
        {
            if (_live.Count == 0) throw new InvalidOperationException("No live service process.");
            return _live[rng.Next(_live.Count)];
        }
    }

    public void Add(ServiceProcess host)
    {
        lock (_lock) _live.Add(host);
    }

    /// <summary>Takes the process out of the pool, records the kill, then kills it (SIGKILL).</summary>
    public async Task KillAsync(ServiceProcess host)
    {
        lock (_lock)
        {
            _live.Remove(host);
            _kills.Add((host.Name, DateTime.UtcNow));
        }
        await host.KillAsync();
    }
}

/// <summary>
/// Writers racing on the same stream through different service processes (issue 13, two hosts): clients correcting the
/// contested agency's realizations with <c>If-Match</c> on the version they last saw (one in five on a version they know is
/// stale), clients correcting the same stream without <c>If-Match</c> (the pipeline re-decides a lost race, then 409),
/// a client writing another agency, a reader; each request to a process picked at random. Every answer is kept for
/// <see cref="TwoHostsChecks"/>.
/// </summary>
public sealed class RaceLoad(HostPool hosts, LedgerApi.Agency contested, LedgerApi.Agency other, int ifMatchClients = 3, int plainClients = 2)
{
    private static int _unique;
    private long _known = contested.YearVersion;

    public ConcurrentQueue<CommandOutcome> Outcomes { get; } = new();

    public Task RunAsync(TimeSpan duration, int seed, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        bool Go() => Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested;
        var clients = new List<Task>();
        for (var i = 0; i < ifMatchClients; i++) clients.Add(Task.Run(() => IfMatchClientAsync(new Random(seed + i), Go), ct));
        for (var i = 0; i < plainClients; i++) clients.Add(Task.Run(() => PlainClientAsync(contested, new Random(seed + 100 + i), Go), ct));
        clients.Add(Task.Run(() => PlainClientAsync(other, new Random(seed + 200), Go), ct));
        clients.Add(Task.Run(() => ReaderAsync(new Random(seed + 300), Go), ct));
        return Task.WhenAll(clients);
    }

    private async Task IfMatchClientAsync(Random rng, Func<bool> go)
    {
        var n = 0;
        while (go())
        {
            var known = Interlocked.Read(ref _known);
            var stale = ++n % 5 == 0 && known > 1;
            var host = hosts.Pick(rng);
            var o = await LedgerApi.PostAsync(host, stale ? "stale-if-match" : "if-match", contested.Staff, contested.Corrections,
                LedgerApi.Correction(Indicator(rng), Interlocked.Increment(ref _unique)), ifMatch: stale ? known - 1 : known);
            Outcomes.Enqueue(o);
            if (o.Ok && o.Version is { } v) Raise(v);
            else if (o.ActualVersion is { } actual) Raise(actual);
        }
    }

    private async Task PlainClientAsync(LedgerApi.Agency agency, Random rng, Func<bool> go)
    {
        while (go())
        {
            var o = await LedgerApi.PostAsync(hosts.Pick(rng), "plain", agency.Staff, agency.Corrections,
                LedgerApi.Correction(Indicator(rng), Interlocked.Increment(ref _unique)));
            Outcomes.Enqueue(o);
            if (o.Ok && o.Version is { } v && agency == contested) Raise(v);
        }
    }

    private async Task ReaderAsync(Random rng, Func<bool> go)
    {
        while (go())
        {
            var host = hosts.Pick(rng);
            var sent = DateTime.UtcNow;
            try
            {
                var (status, _) = await LedgerApi.GetAsync(host, contested.Staff, $"/api/agencies/{contested.Code}/indicators/{Indicator(rng)}?year=2023");
                Outcomes.Enqueue(new CommandOutcome(host.Name, "read", status, null, null, null, [], null, null, null, null, false, "") { Sent = sent });
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Outcomes.Enqueue(CommandOutcome.NoAnswer(host.Name, "read", null, e, sent));
            }
        }
    }

    /// <summary>
    /// The same write with the same Idempotency-Key sent <paramref name="perHost"/> times to every live process at once:
    /// exactly one event may be written, and every 2xx answer must name it.
    /// </summary>
    public async Task<(string Key, IReadOnlyList<CommandOutcome> Answers)> IdempotentBurstAsync(int perHost)
    {
        var key = Guid.NewGuid().ToString();
        var body = LedgerApi.Correction("I8", Interlocked.Increment(ref _unique));
        var answers = await Task.WhenAll(hosts.Live.SelectMany(h => Enumerable.Range(0, perHost).Select(_ =>
            LedgerApi.PostAsync(h, "idempotent", other.Staff, other.Corrections, body, idempotencyKey: key))));
        foreach (var a in answers) Outcomes.Enqueue(a);
        return (key, answers);
    }

    private void Raise(long version)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _known)) < version && Interlocked.CompareExchange(ref _known, version, seen) != seen)
        {
        }
    }

    private static string Indicator(Random rng) => LedgerApi.Indicators[rng.Next(LedgerApi.Indicators.Length)].Code;
}
