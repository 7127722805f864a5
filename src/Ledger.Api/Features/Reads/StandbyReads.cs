using System.Diagnostics;
using Ledger.Api.Infrastructure;
using Ledger.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Api.Features.Reads;

/// <summary>
/// Reads served from a streaming standby, with read-your-writes (issue 13 item 5; docs/replication.md).
/// <para>
/// With a standby (or <c>Ledger:WalPositions</c> = <c>always</c>), every successful write answers its commit's WAL position
/// in <see cref="LsnHeader"/> (the primary's <c>pg_current_wal_lsn()</c> once the command has committed: at or past the end
/// of its commit record); without one no read can use it, so the query is not made. With
/// <c>ConnectionStrings:LedgerStandby</c> set, the main reads (endpoints marked <see cref="Readable"/>: indicator,
/// performance table, PK, PK diff; as-of or not) are served from the standby: a read that sends a position back in
/// <see cref="MinLsnHeader"/> first waits until the standby has replayed it (<c>pg_last_wal_replay_lsn()</c>), at most
/// <c>Ledger:StandbyWaitMilliseconds</c> (default 2000), and otherwise is served from the primary; a read without it is
/// served from the standby as it is (it may be behind); <c>Ledger-Min-Lsn: primary</c> sends it to the primary (for a write
/// whose answer had no position: the database went away between its commit and its answer). A standby that cannot be
/// reached sends the read to the primary.
/// <see cref="ReadFromHeader"/> says which one answered.
/// </para>
/// <para>
/// A standby read runs in one REPEATABLE READ, read-only transaction on one standby connection (<see cref="Current"/>,
/// <see cref="StreamLoader.On"/>): all its queries see one snapshot of the log. The process's stream-state cache may hold
/// states newer than that snapshot (folded from the primary); <see cref="ReadLoader"/> uses a cached state on a standby
/// read only when it is not newer than the snapshot's version of its stream, so one answer never mixes two points in time.
/// </para>
/// </summary>
public static class StandbyReads
{
    public const string LsnHeader = "Ledger-Lsn";
    public const string MinLsnHeader = "Ledger-Min-Lsn";
    public const string ReadFromHeader = "Ledger-Read-From";

    /// <summary><see cref="MinLsnHeader"/>'s value that sends the read to the primary (for a write answered without a position).</summary>
    public const string PrimaryOnly = "primary";

    /// <summary>Endpoint metadata: this read may be served from the standby (it reads only through <see cref="ReadLoader"/>).</summary>
    public sealed class ReadableMarker;

    public static readonly ReadableMarker Readable = new();

    private static readonly AsyncLocal<StreamLoader?> PinnedLoader = new();

    /// <summary>The standby snapshot the current request reads from, or null (the primary).</summary>
    public static StreamLoader? Current => PinnedLoader.Value;

    public static TBuilder StandbyReadable<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Readable);

    /// <summary>
    /// Adds <see cref="LsnHeader"/> to every successful write (any /api request that is not a GET), read on the primary
    /// when the answer starts, i.e. after its transaction committed. A failure to read it leaves the header out (the write
    /// is answered as it is): a client without a position simply cannot ask a standby to wait for it. Only when the
    /// service has a standby (<c>ConnectionStrings:LedgerStandby</c>) or <c>Ledger:WalPositions</c> is <c>always</c>:
    /// otherwise every read is served by the primary, no read waits for a position, and the query would be one more round
    /// trip on every write for nothing.
    /// </summary>
    public static void UseWalPositions(this WebApplication app)
    {
        if (!WalPositionsAnswered(app)) return;
        app.UseWalPositionHeader();
    }

    /// <summary>Whether writes carry <see cref="LsnHeader"/>: with a standby, or <c>Ledger:WalPositions</c> = <c>always</c> (<c>standby</c>, the default: only with one).</summary>
    public static bool WalPositionsAnswered(WebApplication app)
    {
        var setting = app.Configuration["Ledger:WalPositions"];
        if (string.IsNullOrEmpty(setting) || setting.Equals("standby", StringComparison.OrdinalIgnoreCase))
            return app.Services.GetService<LedgerDatabase>()?.Standby is not null;
        if (setting.Equals("always", StringComparison.OrdinalIgnoreCase)) return true;
        throw new InvalidOperationException($"Ledger__WalPositions is '{setting}'; use 'standby' (the default) or 'always'.");
    }

    private static void UseWalPositionHeader(this WebApplication app) => app.Use(async (http, next) =>
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.OnStarting(async () =>
            {
                if (http.Response.StatusCode is < 200 or > 299) return;
                var database = http.RequestServices.GetRequiredService<LedgerDatabase>();
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await using var cmd = database.Service.CreateCommand("SELECT pg_current_wal_lsn()");
                    if (await cmd.ExecuteScalarAsync(cts.Token) is NpgsqlLogSequenceNumber lsn)
                        http.Response.Headers[LsnHeader] = lsn.ToString();
                }
                catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
                {
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Replication")
                        .LogDebug(e, "No WAL position for the answer of {Method} {Path}.", http.Request.Method, http.Request.Path);
                }
            });
        }
        await next(http);
    });

    /// <summary>Routes the marked reads to the standby (see the class summary); a no-op without a standby.</summary>
    public static void UseStandbyReads(this WebApplication app)
    {
        if (app.Services.GetService<LedgerDatabase>()?.Standby is not { } standby) return; // (codegen registers no database)
        var wait = TimeSpan.FromMilliseconds(app.Configuration.GetValue("Ledger:StandbyWaitMilliseconds", 2000));
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Replication");
        app.Use(async (http, next) =>
        {
            if (!HttpMethods.IsGet(http.Request.Method) || http.GetEndpoint()?.Metadata.GetMetadata<ReadableMarker>() is null)
            {
                await next(http);
                return;
            }
            NpgsqlLogSequenceNumber? min = null;
            if (http.Request.Headers[MinLsnHeader] is [PrimaryOnly])
            {
                // A client that holds a write without a position (its answer had no Ledger-Lsn) asks for the primary.
                http.Response.Headers[ReadFromHeader] = "primary";
                await next(http);
                return;
            }
            if (http.Request.Headers[MinLsnHeader] is { Count: > 0 } sent)
            {
                if (sent.Count != 1 || !NpgsqlLogSequenceNumber.TryParse(sent[0] ?? "", out var parsed))
                {
                    await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Malformed {MinLsnHeader} header.",
                        detail: $"{MinLsnHeader} takes one WAL position as answered in {LsnHeader} (e.g. 0/16B3748), or '{PrimaryOnly}'.").ExecuteAsync(http);
                    return;
                }
                min = parsed;
            }
            var pinned = await OpenSnapshotAsync(standby, min, wait, log, http.RequestAborted);
            if (pinned is null)
            {
                http.Response.Headers[ReadFromHeader] = "primary";
                await next(http);
                return;
            }
            await using var connection = pinned.Value.Connection;
            await using var transaction = pinned.Value.Transaction;
            // A standby string may reach the primary (prefer-standby, no standby up): then the header says so.
            http.Response.Headers[ReadFromHeader] = pinned.Value.InRecovery ? "standby" : "primary";
            var loader = http.RequestServices.GetRequiredService<ReadLoader>().Streams.On(transaction);
            PinnedLoader.Value = loader;
            try
            {
                await next(http);
            }
            finally
            {
                PinnedLoader.Value = null;
            }
        });
    }

    /// <summary>
    /// Whether the server is the primary or a standby streaming from it now (<c>pg_stat_wal_receiver.status =
    /// 'streaming'</c>). A server in recovery that does not stream may be a former primary recovering after a crash,
    /// before it is rewound, with commits that were never replicated and none of the new primary's: the long failover
    /// run found it answering reads (its WAL position, on the old timeline, even passed <c>Ledger-Min-Lsn</c>). Reading
    /// the receiver's status needs <c>pg_read_all_stats</c>; without it the status is null and every read goes to the
    /// primary.
    /// </summary>
    private const string Following =
        "(NOT pg_is_in_recovery() OR coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false))";

    private static async Task<(NpgsqlConnection, NpgsqlTransaction, bool)?> NotFollowingAsync(NpgsqlConnection connection, ILogger log)
    {
        log.LogInformation("The standby does not stream from the primary (or the service role may not see pg_stat_wal_receiver): reading from the primary.");
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// A standby connection in a REPEATABLE READ read-only transaction whose snapshot includes <paramref name="min"/>
    /// (when given), or null: the standby is out of reach or did not replay the position within <paramref name="wait"/>.
    /// </summary>
    private static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction, bool InRecovery)?> OpenSnapshotAsync(
        NpgsqlDataSource standby, NpgsqlLogSequenceNumber? min, TimeSpan wait, ILogger log, CancellationToken ct)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await standby.OpenConnectionAsync(ct);
            if (min is { } position)
            {
                var waited = Stopwatch.StartNew();
                // On a server that is no longer in recovery (promoted, or a multi-host string that found only the primary)
                // everything up to its current position is there.
                await using var cmd = new NpgsqlCommand(
                    $"SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, {Following}", connection);
                while (true)
                {
                    NpgsqlLogSequenceNumber? replayed;
                    await using (var r = await cmd.ExecuteReaderAsync(ct))
                    {
                        await r.ReadAsync(ct);
                        if (!r.GetBoolean(1)) return await NotFollowingAsync(connection, log);
                        replayed = r.IsDBNull(0) ? null : r.GetFieldValue<NpgsqlLogSequenceNumber>(0);
                    }
                    if (replayed >= position) break;
                    if (waited.Elapsed >= wait)
                    {
                        log.LogInformation("The standby had replayed {Replayed}, not {Wanted}, after {Ms} ms: reading from the primary.",
                            replayed, position, (int)waited.ElapsedMilliseconds);
                        await connection.DisposeAsync();
                        return null;
                    }
                    await Task.Delay(10, ct);
                }
            }
            var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            bool inRecovery, following;
            await using (var readOnly = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SELECT pg_is_in_recovery(), {Following}", connection, tx))
            await using (var r = await readOnly.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                (inRecovery, following) = (r.GetBoolean(0), r.GetBoolean(1));
            }
            if (!following)
            {
                await tx.DisposeAsync();
                return await NotFollowingAsync(connection, log);
            }
            return (connection, tx, inRecovery);
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            log.LogWarning("The standby is out of reach ({Message}): reading from the primary.", e.Message);
            if (connection is not null) await connection.DisposeAsync();
            return null;
        }
    }
}
