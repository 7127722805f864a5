using Npgsql;
using NpgsqlTypes;

namespace Ledger.Commands;

/// <summary>A response remembered for an idempotency key: replayed as is to a retry of the same request.</summary>
public sealed record StoredResponse(int Status, string ContentType, string Body, string? ETag);

/// <summary>The outcome of <see cref="IdempotencyStore.ClaimAsync"/>.</summary>
public abstract record IdempotencyClaim
{
    private IdempotencyClaim() { }

    /// <summary>This request holds the key: do the work, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/>.</summary>
    public sealed record Claimed(string Scope, string Key, Guid Token) : IdempotencyClaim;

    /// <summary>Another request holds the key and has not finished.</summary>
    public sealed record InFlight(bool SameRequest) : IdempotencyClaim;

    /// <summary>The key was used before and its first response is remembered.</summary>
    public sealed record Completed(bool SameRequest, StoredResponse Response) : IdempotencyClaim;
}

/// <summary>
/// Remembers the first response per idempotency key (table <c>ledger_commands.idempotency</c>, migration commands/0001).
/// A key is claimed with one <c>INSERT … ON CONFLICT</c> before any work, so two concurrent requests with the same
/// key can never both do the work. A claim lasts <c>lease</c> (so a crashed request frees its key); a completed
/// response lasts <c>retention</c> (24 h by default). Expired rows are taken over by the next claim. Every
/// statement is in <see cref="IdempotencySql"/>.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultLease = TimeSpan.FromMinutes(2);

    /// <param name="requestHash">a hash of the request (e.g. SHA-256 of method, path and body) to tell a retry from a reuse of the key.</param>
    public async Task<IdempotencyClaim> ClaimAsync(string scope, string key, byte[] requestHash, TimeSpan lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        // A claim that lost can find the row gone when its holder released it in between: claim again. Each round
        // means another request released the key, so a handful of rounds is plenty.
        for (var round = 0; round < 5; round++)
        {
            var token = Guid.NewGuid();
            await using (var claim = dataSource.CreateCommand(IdempotencySql.Claim))
            {
                claim.Parameters.Add(new NpgsqlParameter<string>("scope", scope));
                claim.Parameters.Add(new NpgsqlParameter<string>("key", key));
                claim.Parameters.Add(new NpgsqlParameter<byte[]>("hash", requestHash));
                claim.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
                claim.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Interval) { Value = lease });
                if (await claim.ExecuteScalarAsync(ct) is Guid) return new IdempotencyClaim.Claimed(scope, key, token);
            }

            await using var read = dataSource.CreateCommand(IdempotencySql.Read);
            read.Parameters.Add(new NpgsqlParameter<string>("scope", scope));
            read.Parameters.Add(new NpgsqlParameter<string>("key", key));
            await using var r = await read.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) continue;
            var same = r.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(requestHash);
            if (r.IsDBNull(1)) return new IdempotencyClaim.InFlight(same);
            return new IdempotencyClaim.Completed(same, new StoredResponse(
                r.GetInt32(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }
        throw new InvalidOperationException($"Idempotency key '{key}' kept being claimed and released; giving up.");
    }

    /// <summary>Stores the response of a claim (only 1xx–4xx: a 5xx is not an answer to remember, release instead).</summary>
    /// <returns>false when the claim was no longer held (its lease ran out and another request took the key over).</returns>
    public async Task<bool> CompleteAsync(IdempotencyClaim.Claimed claim, StoredResponse response, TimeSpan retention, CancellationToken ct = default)
    {
        if (response.Status >= 500) throw new ArgumentException("A 5xx response is not stored; release the claim instead.", nameof(response));
        await using var cmd = dataSource.CreateCommand(IdempotencySql.Complete);
        AddClaim(cmd, claim);
        cmd.Parameters.Add(new NpgsqlParameter<int>("status", response.Status));
        cmd.Parameters.Add(new NpgsqlParameter<string>("content_type", response.ContentType));
        cmd.Parameters.Add(new NpgsqlParameter<string>("body", response.Body));
        cmd.Parameters.Add(new NpgsqlParameter("etag", NpgsqlDbType.Text) { Value = (object?)response.ETag ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("retention", NpgsqlDbType.Interval) { Value = retention });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Gives the key back unanswered (the request failed with a 5xx or was cancelled): a retry will do the work.</summary>
    public async Task ReleaseAsync(IdempotencyClaim.Claimed claim, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(IdempotencySql.Release);
        AddClaim(cmd, claim);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddClaim(NpgsqlCommand cmd, IdempotencyClaim.Claimed claim)
    {
        cmd.Parameters.Add(new NpgsqlParameter<string>("scope", claim.Scope));
        cmd.Parameters.Add(new NpgsqlParameter<string>("key", claim.Key));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("token", claim.Token));
    }
}

/// <summary>The statements of <see cref="IdempotencyStore"/> (table <c>ledger_commands.idempotency</c>).</summary>
internal static class IdempotencySql
{
    /// <summary>
    /// Claims a key: inserts a fresh claim, or takes over a row whose time is up (an abandoned claim or an expired
    /// response). Returns a row only when this call now holds the claim.
    /// </summary>
    public const string Claim = """
        INSERT INTO ledger_commands.idempotency AS i
               (scope, key, request_hash, claim_token, status, content_type, body, etag, created_at, completed_at, expires_at)
        VALUES (@scope, @key, @hash, @token, NULL, NULL, NULL, NULL, clock_timestamp(), NULL, clock_timestamp() + @lease)
        ON CONFLICT (scope, key) DO UPDATE
           SET request_hash = excluded.request_hash, claim_token = excluded.claim_token, status = NULL,
               content_type = NULL, body = NULL, etag = NULL, created_at = excluded.created_at,
               completed_at = NULL, expires_at = excluded.expires_at
         WHERE i.expires_at <= clock_timestamp()
        RETURNING claim_token
        """;

    /// <summary>The row a claim lost to (it may have been released meanwhile: then no row).</summary>
    public const string Read = """
        SELECT request_hash, status, content_type, body, etag FROM ledger_commands.idempotency
        WHERE scope = @scope AND key = @key AND expires_at > clock_timestamp()
        """;

    public const string Complete = """
        UPDATE ledger_commands.idempotency
           SET status = @status, content_type = @content_type, body = @body, etag = @etag,
               completed_at = clock_timestamp(), expires_at = clock_timestamp() + @retention
         WHERE scope = @scope AND key = @key AND claim_token = @token AND status IS NULL
        """;

    public const string Release = """
        DELETE FROM ledger_commands.idempotency
         WHERE scope = @scope AND key = @key AND claim_token = @token AND status IS NULL
        """;

    public static string Grant(string role) => $"""
        GRANT USAGE ON SCHEMA ledger_commands TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ledger_commands.idempotency TO {role};
        """;
}
