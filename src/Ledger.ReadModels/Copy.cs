using Npgsql;
using NpgsqlTypes;

namespace Ledger.ReadModels;

/// <summary>Null-aware writes of one COPY column (binary COPY runs inside the batch's transaction).</summary>
internal static class Copy
{
    public static void Text(this NpgsqlBinaryImporter w, string? v) { if (v is null) w.WriteNull(); else w.Write(v, NpgsqlDbType.Text); }
    public static void Json(this NpgsqlBinaryImporter w, string? v) { if (v is null) w.WriteNull(); else w.Write(v, NpgsqlDbType.Jsonb); }
    public static void Num(this NpgsqlBinaryImporter w, decimal? v) { if (v is { } x) w.Write(x, NpgsqlDbType.Numeric); else w.WriteNull(); }
    public static void Int(this NpgsqlBinaryImporter w, int? v) { if (v is { } x) w.Write(x, NpgsqlDbType.Integer); else w.WriteNull(); }
    public static void Long(this NpgsqlBinaryImporter w, long v) => w.Write(v, NpgsqlDbType.Bigint);
    public static void Bool(this NpgsqlBinaryImporter w, bool v) => w.Write(v, NpgsqlDbType.Boolean);
    public static void Uuid(this NpgsqlBinaryImporter w, Guid v) => w.Write(v, NpgsqlDbType.Uuid);
    public static void Date(this NpgsqlBinaryImporter w, DateOnly? v) { if (v is { } x) w.Write(x, NpgsqlDbType.Date); else w.WriteNull(); }
    public static void Instant(this NpgsqlBinaryImporter w, DateTimeOffset v) => w.Write(v.ToUniversalTime(), NpgsqlDbType.TimestampTz);

    public static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params NpgsqlParameter[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(parameters);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
