using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore;

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
/// Remembers the first response per idempotency key (table <c>eventstore.idempotency</c>, migration 0002).
/// A key is claimed with one <c>INSERT … ON CONFLICT</c> before any work, so two concurrent requests with the same
/// key can never both do the work. A claim lasts <c>lease</c> (so a crashed request frees its key); a completed
/// response lasts <c>retention</c> (24 h by default). Expired rows are taken over by the next claim. Every
/// statement is in <see cref="Sql"/>.
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
            await using (var claim = dataSource.CreateCommand(Sql.IdempotencyClaim))
            {
                claim.Parameters.Add(new NpgsqlParameter<string>("scope", scope));
                claim.Parameters.Add(new NpgsqlParameter<string>("key", key));
                claim.Parameters.Add(new NpgsqlParameter<byte[]>("hash", requestHash));
                claim.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
                claim.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Interval) { Value = lease });
                if (await claim.ExecuteScalarAsync(ct) is Guid) return new IdempotencyClaim.Claimed(scope, key, token);
            }

            await using var read = dataSource.CreateCommand(Sql.IdempotencyRead);
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
        await using var cmd = dataSource.CreateCommand(Sql.IdempotencyComplete);
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
        await using var cmd = dataSource.CreateCommand(Sql.IdempotencyRelease);
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
