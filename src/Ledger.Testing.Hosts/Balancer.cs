using System.Collections.Concurrent;

namespace Ledger.Testing.Hosts;

/// <summary>
/// A load balancer in an <see cref="HttpClient"/>'s handler chain (use any base address): each request goes to the next
/// live service process of the pool, round robin. A request that gets no answer from a process that was killed
/// meanwhile is sent again to another one when that is safe — a GET, or a write with an <c>Idempotency-Key</c> (its first
/// attempt may have committed; the retry is then answered with the stored answer) — as a real balancer with retries does.
/// Every write's answer (and every write left without one) is kept as a <see cref="CommandOutcome"/> of kind
/// <paramref name="kind"/>, every read's as kind <c>read</c>, for <see cref="TwoHostsChecks"/>.
/// </summary>
public sealed class Balancer(HostPool hosts, string kind = "mix") : DelegatingHandler(new SocketsHttpHandler
{
    PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(5), MaxConnectionsPerServer = 256,
})
{
    private int _next;

    public ConcurrentQueue<CommandOutcome> Outcomes { get; } = new();

    /// <summary>Requests sent again to another process after the one they went to was killed.</summary>
    public int Retries => _retries;

    private int _retries;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var write = request.Method != HttpMethod.Get;
        var retriable = !write || request.Headers.Contains("Idempotency-Key");
        var path = request.RequestUri!.PathAndQuery;
        for (var attempt = 1; ; attempt++)
        {
            var live = hosts.Live;
            var host = live[(int)((uint)Interlocked.Increment(ref _next) % live.Count)];
            request.RequestUri = new Uri(host.Address, path);
            var sent = DateTime.UtcNow;
            try
            {
                var response = await base.SendAsync(request, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                var text = write ? await response.Content.ReadAsStringAsync(ct) : "";
                Outcomes.Enqueue(write
                    ? CommandOutcome.Parse(host.Name, kind, (int)response.StatusCode, null, text, response.Headers.Contains("Idempotency-Replayed"), sent)
                    : new CommandOutcome(host.Name, "read", (int)response.StatusCode, null, null, null, [], null, null, null, null, false, "") { Sent = sent });
                return response;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Outcomes.Enqueue(CommandOutcome.NoAnswer(host.Name, write ? kind : "read", null, e, sent));
                if (!retriable || attempt >= 3 || hosts.Live.Contains(host)) throw;
                Interlocked.Increment(ref _retries);
            }
        }
    }
}
