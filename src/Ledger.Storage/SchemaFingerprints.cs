using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// What each schema component was last migrated to, kept by the owner in <c>public.schema_fingerprints</c> (owner only; the
/// service role has no rights on it). A start whose component fingerprint equals the recorded one skips that component's
/// comparison with the catalog (Marten's schema comparison, Wolverine's table check: together most of a restart's time);
/// any other fingerprint, or <see cref="SchemaCheck.Full"/>, compares and repairs as before and records the new one.
/// The audit layer is never skipped: its triggers and grants are checked on every start (<c>AuditSchema.CheckAsync</c>).
/// </summary>
public static class SchemaFingerprints
{
    /// <summary>SHA-256 of the text in hex: the fingerprint of a DDL script or of a list of versions.</summary>
    public static string Of(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));

    /// <summary>True when <paramref name="component"/> was last migrated to <paramref name="fingerprint"/>.</summary>
    public static async Task<bool> MatchesAsync(NpgsqlDataSource owner, string component, string fingerprint, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand("SELECT fingerprint FROM public.schema_fingerprints WHERE component = @c");
        cmd.Parameters.AddWithValue("c", component);
        try
        {
            return await cmd.ExecuteScalarAsync(ct) is string recorded && recorded == fingerprint;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false; // a database no fingerprint was recorded in yet (RecordAsync creates the table): compare
        }
    }

    /// <summary>Records that <paramref name="component"/> now matches <paramref name="fingerprint"/> (after its migration succeeded).</summary>
    public static async Task RecordAsync(NpgsqlDataSource owner, string component, string fingerprint, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand("""
            CREATE TABLE IF NOT EXISTS public.schema_fingerprints (
                component text PRIMARY KEY, fingerprint text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO public.schema_fingerprints (component, fingerprint) VALUES (@c, @f)
            ON CONFLICT (component) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, recorded_at = now();
            """);
        cmd.Parameters.AddWithValue("c", component);
        cmd.Parameters.AddWithValue("f", fingerprint);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>How a start checks the components that keep a fingerprint (<see cref="SchemaFingerprints"/>).</summary>
public enum SchemaCheck
{
    /// <summary>Compare every component with the catalog and repair it (Marten's full comparison), whatever was recorded.</summary>
    Full,

    /// <summary>Skip a component whose recorded fingerprint matches; compare the others.</summary>
    Fingerprint,
}
