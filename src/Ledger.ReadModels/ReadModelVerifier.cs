using System.Data;
using System.Diagnostics;
using Ledger.Audit;
using Marten;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>One key of a readmodel table that differs from the recompute: missing (only the recompute has it), extra (only the table), different (both, other contents).</summary>
public sealed record ReadModelDifference(string Kind, IReadOnlyDictionary<string, object?> Key);

/// <summary>
/// One readmodel table compared with what its projection's own logic computes from the log up to <see cref="Position"/>,
/// the progression the daemon committed for it (read in the same snapshot as the table). Counts are of keys (the
/// table's primary key); <see cref="Examples"/> holds the first few of each kind in key order.
/// </summary>
public sealed record ReadModelTableCheck(
    string Table, string Projection, long Position, long RowsChecked, long ExpectedRows, long Missing, long Extra, long Different,
    IReadOnlyList<ReadModelDifference> Examples)
{
    /// <summary>
    /// Why the table was not compared (its counts are then 0): the state tables while <c>readmodel.rows_pending</c> says
    /// they are behind the shard's progression (a catch-up from nothing writes them once, at its end). Not ok: a marker
    /// written behind the daemon's back must not hide forged rows.
    /// </summary>
    public string? NotCompared { get; init; }

    public bool Ok => NotCompared is null && Missing == 0 && Extra == 0 && Different == 0;
    public string QualifiedName => $"{ReadModelStatements.Schema}.{Table}";
}

/// <summary>Where the check of one part of a projection (e.g. <c>sakip-state</c>, the state part of <c>sakip</c>) spent its time: replaying the log into the temporary copies, then comparing them with its tables.</summary>
public sealed record ReadModelProjectionTiming(string Projection, long Position, TimeSpan Recompute, TimeSpan Compare);

/// <summary>The read models against the log: one check per table, or why they could not be compared (<see cref="NotChecked"/>).</summary>
public sealed record ReadModelVerification(IReadOnlyList<ReadModelTableCheck> Tables, string? NotChecked, TimeSpan Elapsed)
{
    public bool Ok => NotChecked is null && Tables.All(t => t.Ok);

    public IReadOnlyList<ReadModelProjectionTiming> Timings { get; init; } = [];
}

/// <summary>
/// Issue 11, "derived state is never evidence": the service role may write every readmodel table, so a row written by
/// anyone but the daemon (or a daemon bug) must be caught. As the role given (the service's), on two connections:
/// <list type="number">
/// <item>the snapshot: a REPEATABLE READ, READ ONLY transaction whose first statement reads each shard's committed
///   progression. Rows and progression commit together in the daemon's transaction, so in this snapshot each table is
///   exactly what its projection wrote up to that position: a lagging daemon is no difference. Every read of the log and
///   of the tables is in this snapshot;</item>
/// <item>the work session: two empty temporary copies of each table (<c>LIKE</c> it); the projection's own writers replay
///   the log up to that position into one (<see cref="SakipProjection.RecomputeAsync"/>, the same SQL with the schema
///   swapped), the table's rows as the snapshot shows them are copied into the other (binary COPY), and the two are
///   compared whole rows both ways (<c>EXCEPT ALL</c>) and named by primary key; the temporary tables are dropped.</item>
/// </list>
/// The one projection, <c>sakip</c>, is checked part by part (state, history, PK), each up to sakip's progression. While
/// <c>readmodel.rows_pending</c> holds sakip's marker in the snapshot, the four state tables are behind that progression
/// by design (rows written once at the end of a catch-up from nothing): they are reported as not compared, which is not
/// ok (a forged marker must not hide forged rows).
/// Why two connections: a transaction that writes, even only to a temporary table, holds a transaction id until it
/// ends, and a year close's settled log head (<see cref="Ledger.Audit.SettledSequence"/>) waits for every older one. The
/// snapshot transaction never writes (no id); the work session writes in short transactions (a page of the log, one
/// table of the state part, or a chunk of a table's pages each). Locks: ACCESS SHARE on the tables (the daemon's DELETE and COPY do not wait for it). The snapshot does hold
/// back vacuum's horizon while the check runs (docs/read-models.md "Verify").
/// </summary>
public static class ReadModelVerifier
{
    /// <summary>The schema of the read models (<c>readmodel</c>).</summary>
    public const string Schema = ReadModelStatements.Schema;

    /// <param name="store">Marten's store (its serializer and database; the connections are <paramref name="dataSource"/>'s).</param>
    /// <param name="examples">keys named per table and kind.</param>
    /// <param name="progress">called with each part's name (<c>sakip-state</c>, <c>sakip-history</c>, <c>sakip-pk</c>) before its tables are recomputed.</param>
    public static async Task<ReadModelVerification> VerifyAsync(NpgsqlDataSource dataSource, IDocumentStore store, int examples = 5,
        Func<string, Task>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        // One projection, sakip, whose parts write their tables from the same pages: each part is recomputed on its own
        // (the state part in one pass, history and PK page by page), all up to sakip's committed progression.
        var projection = new SakipCombinedProjection();
        await using var snapshot = await dataSource.OpenConnectionAsync(ct);
        await using var read = await snapshot.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await ExecAsync(snapshot, read, ReadModelStatements.ReadOnly, ct);

        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        var pendingSince = new Dictionary<string, long>(StringComparer.Ordinal);
        var mayCreateTemp = false;
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.VerifySnapshot, snapshot, read))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", [projection.Shard.Identity]));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                positions[r.GetString(0)] = r.IsDBNull(1) ? 0 : r.GetInt64(1);
                mayCreateTemp = r.GetBoolean(2);
                if (!r.IsDBNull(3)) pendingSince[r.GetString(0)] = r.GetInt64(3);
            }
        }
        if (!mayCreateTemp)
            return new ReadModelVerification([], $"the role {snapshot.UserName} may not create temporary tables in this database, which the comparison needs " +
                $"(GRANT TEMPORARY ON DATABASE {AuditSchema.Quote(snapshot.Database)} TO {AuditSchema.Quote(snapshot.UserName ?? "")})", clock.Elapsed);

        var tables = new List<ReadModelTableCheck>();
        var timings = new List<ReadModelProjectionTiming>();
        var serializer = store.Options.Serializer();
        await using var work = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var position = positions.GetValueOrDefault(projection.Shard.Identity);
            foreach (var part in projection.Parts)
            {
                if (progress is not null) await progress(part.Name);
                var started = clock.Elapsed;
                if (part is SakipStateProjection && pendingSince.TryGetValue(projection.Shard.Identity, out var since))
                {
                    var why = FormattableString.Invariant(
                        $"{projection.Name} writes the state tables once, at the end of a catch-up from nothing, and has not yet: readmodel.rows_pending ") +
                        FormattableString.Invariant($"says they are behind its position {position} (pending since sequence {since}). Verify again once /health shows ") +
                        $"{projection.Name} at the head. If no rebuild or first catch-up is running, the marker was written behind the daemon's back: " +
                        $"rebuild {projection.Name} (its next page would also re-fold the log and rewrite these tables).";
                    foreach (var table in part.ComparedTables)
                        tables.Add(new ReadModelTableCheck(table, projection.Name, position, 0, 0, 0, 0, 0, []) { NotCompared = why });
                    timings.Add(new ReadModelProjectionTiming(part.Name, position, TimeSpan.Zero, TimeSpan.Zero));
                    continue;
                }
                foreach (var table in part.ComparedTables) await ExecAsync(work, null, ReadModelStatements.CreateTempCopies(table), ct);
                await part.RecomputeAsync(snapshot, read, work, store.Storage.Database, serializer, position, ReadModelStatements.Temp, ct);
                var recomputed = clock.Elapsed;
                foreach (var table in part.ComparedTables)
                {
                    await CopyActualAsync(snapshot, read, work, table, ct);
                    tables.Add(await CompareAsync(work, projection.Name, table, position, examples, ct));
                }
                timings.Add(new ReadModelProjectionTiming(part.Name, position, recomputed - started, clock.Elapsed - recomputed));
            }
        }
        finally
        {
            if (work.State == ConnectionState.Open) await ExecAsync(work, null, ReadModelStatements.DropTemporaryTables, CancellationToken.None);
        }
        await read.RollbackAsync(ct);
        return new ReadModelVerification(tables, null, clock.Elapsed) { Timings = timings };
    }

    /// <summary>Pages of a table copied per COPY: each chunk is received in its own transaction of the work session, kept short.</summary>
    private const long PagesPerCopy = 512;

    /// <summary>
    /// The table as the snapshot shows it, into its actual_ copy in the work session: binary COPY out and in (exact), in
    /// chunks of pages, so that no transaction of the work session (each COPY in commits on its own) lasts long.
    /// </summary>
    private static async Task CopyActualAsync(NpgsqlConnection snapshot, NpgsqlTransaction read, NpgsqlConnection work, string table, CancellationToken ct)
    {
        long pages;
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.Pages(table), snapshot, read))
            pages = (long)(await cmd.ExecuteScalarAsync(ct))!;
        for (long from = 0; from < pages; from += PagesPerCopy)
        {
            await using var into = await work.BeginRawBinaryCopyAsync(ReadModelStatements.CopyIntoActual(table), ct);
            await using var source = await snapshot.BeginRawBinaryCopyAsync(ReadModelStatements.CopyOut(table, from, from + PagesPerCopy), ct);
            await source.CopyToAsync(into, ct);
        }
    }

    private static async Task<ReadModelTableCheck> CompareAsync(NpgsqlConnection connection, string projection, string table,
        long position, int examples, CancellationToken ct)
    {
        var keys = new List<string>();
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.KeyColumns, connection))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("table", $"{ReadModelStatements.Schema}.{table}"));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) keys.Add(r.GetString(0));
        }

        long actual, expected;
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.CountRows(table), connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (actual, expected) = (r.GetInt64(0), r.GetInt64(1));
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var found = new List<ReadModelDifference>();
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.Differences(table, keys.Select(AuditSchema.Quote).ToList()), connection))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int>("examples", examples));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(0);
                counts[kind] = r.GetInt64(1);
                var key = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var i = 0; i < keys.Count; i++) key[keys[i]] = r.IsDBNull(i + 2) ? null : r.GetValue(i + 2);
                found.Add(new ReadModelDifference(kind, key));
            }
        }
        return new ReadModelTableCheck(table, projection, position, actual, expected, counts.GetValueOrDefault("missing"),
            counts.GetValueOrDefault("extra"), counts.GetValueOrDefault("different"), found);
    }

    private static async Task ExecAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
