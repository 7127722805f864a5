using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ledger.Chaos;

/// <summary>
/// The crash that matters most for idempotency, made to happen instead of hoped for: the service is killed after a
/// command has been committed and before its answer reaches the client. One attempt goes through a TCP relay in front
/// of the service; when a 2xx answer starts to come back from the service, the relay kills it (SIGKILL) and keeps the
/// answer from the client, which sees its connection close without an answer.
/// <para>
/// Why a 2xx answer's first bytes mean "committed": the command pipeline buffers the whole answer and writes nothing
/// before Wolverine's chain has saved the session (events, idempotency claim and stored answer in one commit;
/// <c>CommandMiddleware</c>, the generated <c>POST_*</c> handlers). What the relay swallowed is kept, so the check can
/// compare it with what the retry gets.
/// </para>
/// </summary>
public static class CommitCrashProbe
{
    /// <summary>
    /// One attempt of <paramref name="r"/> through the relay; <paramref name="kill"/> runs when a 2xx answer starts to come
    /// back. Returns the answer the client never got (null if none came or it is incomplete), its status, whether the service was killed (not when the
    /// answer was no 2xx: nothing was committed) and whether the client saw a failure (it must: the answer is never
    /// passed on).
    /// </summary>
    public static async Task<(Answer? Swallowed, int? Status, bool Killed, bool ClientSawFailure)> AttemptAsync(Request r, Uri service, Func<Task> kill, TimeSpan timeout, CancellationToken ct)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var relay = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        using var handler = new SocketsHttpHandler { UseProxy = false };
        using var client = new HttpClient(handler) { BaseAddress = relay, Timeout = Timeout.InfiniteTimeSpan };
        var sending = Sender.OnceAsync(client, r, timeout, ct);

        var captured = new MemoryStream();
        var killed = false;
        try
        {
            using var inbound = await listener.AcceptTcpClientAsync(ct);
            listener.Stop(); // one connection only: a retry must not come this way
            using var outbound = new TcpClient();
            await outbound.ConnectAsync(service.Host, service.Port, ct);
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), ct).ContinueWith(_ => { }, TaskScheduler.Default);

            var down = outbound.GetStream();
            var buffer = new byte[64 * 1024];
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(timeout);
            int n;
            // The status line first: only a 2xx says the command was committed (a 503, e.g. on a pooled connection a
            // PostgreSQL restart broke, committed nothing; the client then just retries, and the caller probes again).
            while (StatusOf(captured) is null && (n = await down.ReadAsync(buffer, wait.Token)) > 0) captured.Write(buffer, 0, n);
            if (StatusOf(captured) is >= 200 and < 300)
            {
                killed = true;
                await kill();
                try
                {
                    // The rest the killed process had already handed to the kernel, until its socket is closed.
                    using var rest = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    rest.CancelAfter(TimeSpan.FromSeconds(5));
                    while ((n = await down.ReadAsync(buffer, rest.Token)) > 0) captured.Write(buffer, 0, n);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException) { }
            }
            inbound.Client.Shutdown(SocketShutdown.Both); // the client's connection closes with no answer
        }
        finally
        {
            listener.Stop();
        }

        var failed = false;
        try
        {
            await sending;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            failed = true;
        }
        return (Parse(captured.ToArray()), StatusOf(captured), killed, failed);
    }

    /// <summary>The status code once the status line is complete, else null.</summary>
    private static int? StatusOf(MemoryStream captured)
    {
        var text = Encoding.Latin1.GetString(captured.GetBuffer(), 0, (int)captured.Length);
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        if (end < 0) return null;
        var parts = text[..end].Split(' ');
        return parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : 0;
    }

    /// <summary>An HTTP/1.1 answer from its bytes (status line, headers, a Content-Length or chunked body); null if incomplete.</summary>
    public static Answer? Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return null;
        var lines = text[..end].Split("\r\n");
        var status = lines[0].Split(' ');
        if (status.Length < 2 || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code)) return null;
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var rest = bytes.AsSpan(Encoding.Latin1.GetByteCount(text[..(end + 4)]));
        byte[] body;
        if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, CultureInfo.InvariantCulture, out var len))
        {
            if (rest.Length < len) return null;
            body = rest[..len].ToArray();
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new MemoryStream();
            while (true)
            {
                var lineEnd = rest.IndexOf("\r\n"u8);
                if (lineEnd < 0) return null;
                var size = int.Parse(Encoding.Latin1.GetString(rest[..lineEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                rest = rest[(lineEnd + 2)..];
                if (size == 0) break;
                if (rest.Length < size + 2) return null;
                decoded.Write(rest[..size]);
                rest = rest[(size + 2)..];
            }
            body = decoded.ToArray();
        }
        else body = rest.ToArray();
        return new Answer(code, Encoding.UTF8.GetString(body), headers.GetValueOrDefault("ETag"),
            headers.TryGetValue("Idempotency-Replayed", out var replayed) && replayed == "true", headers.GetValueOrDefault("Retry-After"),
            headers.GetValueOrDefault("Content-Type")?.Split(';')[0].Trim());
    }
}
