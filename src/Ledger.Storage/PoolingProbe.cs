using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Whether a connection string reaches PostgreSQL sessions that stay with the client connection (a direct connection,
/// or PgBouncer in <c>pool_mode = session</c>), or goes through a pooler that hands a client connection's statements to
/// whichever server session is free (PgBouncer's <c>transaction</c> or <c>statement</c> mode). Ledger needs the former:
/// the daemon's leader holds a session-level advisory lock (Marten's HotCold; <c>pg_try_advisory_lock</c> on a
/// connection it keeps), and so do the migrations. Behind transaction pooling that lock belongs to a pooled server
/// session that other clients' statements then run on — those "hold" it too, the next leadership poll may land on
/// another session, and two processes can both believe they lead (docs/deployment.md, "PgBouncer").
/// <para>
/// The probe, on two connections of its own (no client-side pooling), <see cref="Rounds"/> times: A asks for its
/// backend's pid; B opens a transaction (which pins a server session under any pooler) and asks for its pid while it
/// holds it; A asks again. On sessions that stay with their connections, B's pid is never A's (A's session is A's alone)
/// and A's pid never changes. Under transaction pooling PgBouncer gives B the server session A just released (it reuses
/// them last-in first-out by default), or A is moved to another one while B holds A's: either way the two connections
/// are seen sharing or changing sessions. A pooler in statement mode refuses B's transaction outright. Never a false
/// alarm on a direct or session-pooled connection; under transaction pooling the detection relies on the pooler
/// handing sessions round as PgBouncer does (with <c>server_round_robin = 1</c> and other clients busy it can miss in
/// one round, hence several).
/// </para>
/// </summary>
public static class PoolingProbe
{
    public const int Rounds = 3;

    /// <returns>null when every round saw sessions pinned to their connections; otherwise what was seen, for an operator.</returns>
    public static async Task<string?> CheckAsync(string connectionString, CancellationToken ct = default)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "ledger-pooling-probe" }.ConnectionString;
        // The two client connections are opened once, together, and every round runs on them: opening one costs a
        // password handshake (SCRAM), and a fresh pair per round made the probe most of a cold start (~0.7 s). A pooler
        // hands out server sessions per transaction whatever the client connection's age, so reuse does not hide it.
        await using var a = new NpgsqlConnection(cs);
        await using var b = new NpgsqlConnection(cs);
        await Task.WhenAll(a.OpenAsync(ct), b.OpenAsync(ct));
        for (var round = 0; round < Rounds; round++)
        {
            var first = await PidAsync(a, null, ct);
            try
            {
                await using var tx = await b.BeginTransactionAsync(ct);
                var pinned = await PidAsync(b, tx, ct);
                var again = await PidAsync(a, null, ct);
                await tx.RollbackAsync(ct);
                if (pinned == first)
                    return $"two connections ran on the same server session (backend pid {first}): the connection goes through a pooler " +
                           "that shares sessions between clients (PgBouncer pool_mode = transaction or statement)";
                if (again != first)
                    return $"one connection's statements ran on two server sessions (backend pids {first} and {again}): the connection goes " +
                           "through a pooler that hands out a session per transaction (PgBouncer pool_mode = transaction)";
            }
            catch (PostgresException e) when (e.MessageText.Contains("pooling mode", StringComparison.OrdinalIgnoreCase)
                                              || e.MessageText.Contains("transaction blocks", StringComparison.OrdinalIgnoreCase))
            {
                return $"the server refused a transaction ({e.MessageText}): the connection goes through a pooler in statement mode";
            }
        }
        return null;
    }

    private static async Task<int> PidAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_backend_pid()", connection, tx);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
