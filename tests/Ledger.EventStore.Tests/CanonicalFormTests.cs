using Ledger.Audit;
using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>
/// Migration 0004 rewrote <c>eventstore.canonical</c> (concatenation instead of <c>jsonb_build_array(...)::text</c>) to
/// make appends cheaper. The hash chain is only sound if the bytes are exactly the same for every input, so events
/// hashed before 0004 still verify and anyone recomputing the 0001 form gets the stored hash.
/// </summary>
public sealed class CanonicalFormTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Canonical_SameBytesAsThe0001Form_ForAwkwardValuesAndNulls()
    {
        // Every column shape: strings needing escapes (quotes, backslash, control characters, non-ASCII, astral),
        // nulls in every nullable position, nested jsonb with numbers of every kind, and timestamps with and without
        // microseconds.
        await using var cmd = fx.Database.Owner.CreateCommand("""
            WITH t AS (
                SELECT gen_random_uuid() AS id,
                       'stream-' || g || E'\u00e9"\\\n\t\u0001' AS s,
                       g::bigint AS v,
                       CASE WHEN g % 7 = 0 THEN 'type/"x"' ELSE 'realization.recorded.v1' END AS ty,
                       CASE WHEN g % 2 = 0 THEN clock_timestamp() ELSE date_trunc('second', clock_timestamp()) END AS rec,
                       CASE WHEN g % 3 = 0 THEN NULL ELSE 'agency/ñ' || g END AS ten,
                       jsonb_build_object('indicator', 'IKU-' || g, 'value', g * 1.25, 'note', repeat(E'x"y\\z/é😀\u001f', g % 4),
                                          'nested', jsonb_build_array(1, 'a', NULL, true, 1e-7, 12345678901234567890, -0.5, '{}'::jsonb, '[]'::jsonb)) AS d,
                       CASE WHEN g % 2 = 0 THEN NULL ELSE '{"id":"u1","name":"Budi \"B\"","roles":["staff"]}'::jsonb END AS a,
                       CASE WHEN g % 4 = 0 THEN NULL ELSE E'alasan\r\nperubahan' END AS r,
                       CASE WHEN g % 5 = 0 THEN NULL ELSE 'corr' || g END AS c,
                       CASE WHEN g % 6 = 0 THEN 'cause' END AS ca,
                       CASE WHEN g % 5 = 0 THEN 'idem' || g END AS i,
                       CASE WHEN g % 2 = 0 THEN '{"h": [1, 2], "s": "\u2028"}'::jsonb END AS h
                FROM generate_series(1, 2000) AS g)
            SELECT count(*),
                   count(*) FILTER (WHERE eventstore.canonical(id, s, v, ty, rec, ten, d, a, r, c, ca, i, h)
                                    IS DISTINCT FROM eventstore.canonical_v1(id, s, v, ty, rec, ten, d, a, r, c, ca, i, h))
            FROM t
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(2000, r.GetInt64(0));
        Assert.Equal(0, r.GetInt64(1));
    }

    [Fact]
    public async Task Canonical_AllNullsAndEmptyStrings_SameBytesAsThe0001Form()
    {
        await using var cmd = fx.Database.Owner.CreateCommand("""
            SELECT eventstore.canonical(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
                 = eventstore.canonical_v1(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                   eventstore.canonical('00000000-0000-0000-0000-000000000000', '', 0, '', '-infinity', '', '""', 'null', '', '', '', '', '{}')
                 = eventstore.canonical_v1('00000000-0000-0000-0000-000000000000', '', 0, '', '-infinity', '', '""', 'null', '', '', '', '', '{}')
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.True(r.GetBoolean(0));
        Assert.True(r.GetBoolean(1));
    }

    [Fact]
    public async Task StoredHashes_OfSingleAndBatchAppends_RecomputeWithThe0001Form()
    {
        var stream = NewStream();
        var first = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1)));          // one-event path
        var batch = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(1), Counter(2), Counter(3), Counter(4))); // loop path
        Assert.Equal(4, batch.Version);
        Assert.True(batch.Sequences.Zip(batch.Sequences.Skip(1)).All(p => p.First < p.Second), "sequences rise with the version");
        Assert.True(first.Sequences[0] < batch.Sequences[0]);

        await using var cmd = fx.Database.Owner.CreateCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE hash = sha256(prev_hash || eventstore.canonical_v1(id, stream_id, version, type, recorded_at,
                                        tenant, data, actor, reason, correlation_id, causation_id, idempotency_key, headers))),
                   count(*) FILTER (WHERE prev_hash = previous)
            FROM (SELECT e.*, coalesce(lag(hash) OVER (ORDER BY version),
                                       '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS previous
                  FROM eventstore.events e WHERE stream_id = @s) AS chain
            """);
        cmd.Parameters.AddWithValue("s", stream);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(4, r.GetInt64(0));
        Assert.Equal(4, r.GetInt64(1));
        Assert.Equal(4, r.GetInt64(2));
    }
}
