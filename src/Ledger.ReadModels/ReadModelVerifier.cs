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
    public bool Ok => Missing == 0 && Extra == 0 && Different == 0;
    public string QualifiedName => $"{ReadModelStatements.Schema}.{Table}";
}

/// <summary>The read models against the log: one check per table, or why they could not be compared (<see cref="NotChecked"/>).</summary>
public sealed record ReadModelVerification(IReadOnlyList<ReadModelTableCheck> Tables, string? NotChecked, TimeSpan Elapsed)
{
    public bool Ok => NotChecked is null && Tables.All(t => t.Ok);
}

/// <summary>
/// Issue 11, "derived state is never evidence": the service role may write every readmodel table, so a row written by
/// anyone but the daemon (or a daemon bug) must be caught. In one REPEATABLE READ transaction, as the role given (the
/// service's): read each shard's committed progression (first statement: it takes the snapshot), create an empty
/// temporary copy of each table (<c>LIKE</c> it), replay the log up to that progression through the projection's own
/// writers into the copies (<see cref="SakipProjection.RecomputeAsync"/>, the same SQL with the schema swapped), compare
/// whole rows both ways (<c>EXCEPT ALL</c>), then roll back: nothing is written outside the session's temporary schema.
/// <para>
/// Because rows and progression commit together in the daemon's transaction, the snapshot holds each table exactly as
/// the daemon left it at that position: a lagging daemon is not a difference. The transaction takes no lock but
/// ACCESS SHARE on the tables (the daemon's DELETE and COPY do not wait for it); it does hold back vacuum's horizon for
/// its duration (seconds; docs/read-models.md "Verify").
/// </para>
/// </summary>
public static class ReadModelVerifier
{
    /// <summary>The schema of the read models (<c>readmodel</c>).</summary>
    public const string Schema = ReadModelStatements.Schema;

    /// <param name="store">Marten's store (its serializer and database; the connection is <paramref name="dataSource"/>'s).</param>
    /// <param name="examples">keys named per table and kind.</param>
    public static async Task<ReadModelVerification> VerifyAsync(NpgsqlDataSource dataSource, IDocumentStore store, int examples = 5, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var projections = SakipReadModels.Create();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        var mayCreateTemp = false;
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.VerifySnapshot, connection, transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", projections.Select(p => p.Shard.Identity).ToArray()));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                positions[r.GetString(0)] = r.IsDBNull(1) ? 0 : r.GetInt64(1);
                mayCreateTemp = r.GetBoolean(2);
            }
        }
        if (!mayCreateTemp)
        {
            await transaction.RollbackAsync(ct);
            return new ReadModelVerification([], $"the role {connection.UserName} may not create temporary tables in this database, which the comparison needs " +
                $"(GRANT TEMPORARY ON DATABASE {AuditSchema.Quote(connection.Database)} TO {AuditSchema.Quote(connection.UserName ?? "")})", clock.Elapsed);
        }

        var tables = new List<ReadModelTableCheck>();
        var serializer = store.Options.Serializer();
        foreach (var projection in projections)
        {
            var position = positions.GetValueOrDefault(projection.Shard.Identity);
            foreach (var table in projection.TableNames) await ExecAsync(connection, transaction, ReadModelStatements.CreateTempCopy(table), ct);
            await projection.RecomputeAsync(connection, transaction, store.Storage.Database, serializer, position, ReadModelStatements.Temp, ct);
            foreach (var table in projection.TableNames)
                tables.Add(await CompareAsync(connection, transaction, projection.Name, table, position, examples, ct));
        }
        await transaction.RollbackAsync(ct);
        return new ReadModelVerification(tables, null, clock.Elapsed);
    }

    private static async Task<ReadModelTableCheck> CompareAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string projection, string table,
        long position, int examples, CancellationToken ct)
    {
        var keys = new List<string>();
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.KeyColumns, connection, transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("table", $"{ReadModelStatements.Schema}.{table}"));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) keys.Add(r.GetString(0));
        }

        long actual, expected;
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.CountRows(table), connection, transaction))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (actual, expected) = (r.GetInt64(0), r.GetInt64(1));
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var found = new List<ReadModelDifference>();
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.Differences(table, keys.Select(AuditSchema.Quote).ToList()), connection, transaction))
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

    private static async Task ExecAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
