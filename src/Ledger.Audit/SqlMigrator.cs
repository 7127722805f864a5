using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.Audit;

/// <summary>One numbered SQL script, e.g. <c>0001_audit_layer.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>
/// Applies numbered, append-only migration scripts per component, each in its own transaction, under an advisory
/// lock so that two processes starting at once do not race. Re-running is a no-op; a script changed after it was
/// applied is refused (its checksum no longer matches) rather than silently ignored.
/// </summary>
public static class SqlMigrator
{
    private const long LockKey = 0x4C_65_64_67_65_72_4D; // "LedgerM"

    public static IReadOnlyList<Migration> FromEmbeddedResources(Assembly assembly, string folder = "Migrations")
    {
        var marker = "." + folder + ".";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
                var version = int.Parse(file[..file.IndexOf('_')]);
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Migration(version, file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <returns>the names of the scripts applied now (empty when the schema was current).</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        NpgsqlDataSource dataSource, string component, IReadOnlyList<Migration> migrations, CancellationToken ct = default)
    {
        var applied = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await Exec(conn, null, "SELECT pg_advisory_lock(@k)", ct, ("k", LockKey));
        try
        {
            await Exec(conn, null, """
                CREATE TABLE IF NOT EXISTS public.schema_migrations (
                    component text NOT NULL, version int NOT NULL, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))
                """, ct);

            var done = new Dictionary<int, string>();
            await using (var cmd = new NpgsqlCommand("SELECT version, checksum FROM public.schema_migrations WHERE component = @c", conn))
            {
                cmd.Parameters.AddWithValue("c", component);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) done[r.GetInt32(0)] = r.GetString(1);
            }

            foreach (var m in migrations)
            {
                if (done.TryGetValue(m.Version, out var checksum))
                {
                    if (checksum != m.Checksum)
                        throw new InvalidOperationException(
                            $"Migration {component}/{m.Name} was changed after it was applied. Migrations are append-only: add a new script instead.");
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await Exec(conn, tx, m.Sql, ct);
                await Exec(conn, tx, "INSERT INTO public.schema_migrations (component, version, name, checksum) VALUES (@c, @v, @n, @s)", ct,
                    ("c", component), ("v", m.Version), ("n", m.Name), ("s", m.Checksum));
                await tx.CommitAsync(ct);
                applied.Add(m.Name);
            }
        }
        finally
        {
            await Exec(conn, null, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", LockKey));
        }
        return applied;
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string, object)[] ps)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
