using Marten;
using Ledger.Storage;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// The yearly maintenance of docs/deployment.md ("Keeping an agency's events together"): the owner rewrites the event
/// table in (stream, version) order with <c>CLUSTER</c>, so that a stream's old events lie on a few pages instead of one
/// page each (agencies write side by side for years; see docs/performance.md, twentieth session). The chain covers the
/// events' content, sequence and recorded time, never where a row lies, so nothing it proves changes: the verifier
/// passes with the same log digest, a head published before the rewrite still matches, every stream reads the same
/// events, the audit check at start still passes and Marten's schema tool finds nothing to change. The service role
/// cannot run it (ServiceRoleTests).
/// </summary>
public sealed class EventTableClusterTests(LedgerFixture fx) : IClassFixture<LedgerFixture>
{
    [Fact]
    public async Task TheOwnersClusterOfTheEventTable_PutsAStreamOnFewerPages_AndChangesNothingTheChainOrAReadSees()
    {
        // Eight streams written side by side, one event each in turn: each stream's events end up spread over the heap.
        var streams = Enumerable.Range(0, 8).Select(_ => NewStream()).ToList();
        for (var v = 0; v < 60; v++)
            foreach (var s in streams)
                await fx.AppendAsync(s, v, Spending(v + 1));
        var published = await LogHeads.ReadAsync(fx.Service);
        var before = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(before.Ok, string.Join("; ", before.Problems));
        var readsBefore = await ReadAllAsync(streams);
        var pagesBefore = await PagesAsync(streams[0]);

        await using (var cluster = fx.Database.Owner.CreateCommand("CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version"))
            await cluster.ExecuteNonQueryAsync();

        // The rewrite did something: the stream's 60 events, one per 8 rows before, now lie together.
        var pagesAfter = await PagesAsync(streams[0]);
        Assert.True(pagesAfter < pagesBefore, $"{pagesBefore} pages before the CLUSTER, {pagesAfter} after");

        var after = await ChainVerifier.VerifyAsync(fx.Service,
            [new PublishedHead(published.Sequence, published.Digest, "before the CLUSTER", published.Format)]);
        Assert.True(after.Ok, string.Join("; ", after.Problems));
        Assert.Equal((before.HeadSequence, before.LogDigest, before.EventsChecked), (after.HeadSequence, after.LogDigest, after.EventsChecked));
        Assert.True(after.Heads.Single().Matches);
        Assert.Equal(readsBefore, await ReadAllAsync(streams));

        Assert.Empty(await AuditSchema.CheckAsync(fx.Service));
        Assert.Empty(await LedgerSchema.MigrateAsync(fx.Database.OwnerConnectionString));

        // Appends go on as before, sealed, at the table's end.
        await fx.AppendAsync(streams[0], 60, Spending(61));
        var appended = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(appended.Ok, string.Join("; ", appended.Problems));
        Assert.Equal(before.EventsChecked + 1, appended.EventsChecked);
    }

    /// <summary>Each stream's events as the service reads them: id, version, sequence, recorded time, type and body.</summary>
    private async Task<List<string>> ReadAllAsync(IEnumerable<string> streams)
    {
        var all = new List<string>();
        await using var session = fx.Store.QuerySession();
        foreach (var s in streams)
            foreach (var e in await session.Events.FetchStreamAsync(s))
                all.Add($"{s} {e.Id} {e.Version} {e.Sequence} {e.Timestamp:O} {e.EventTypeName} {System.Text.Json.JsonSerializer.Serialize(e.Data, e.Data.GetType())}");
        return all;
    }

    /// <summary>The heap pages of ledger.mt_events holding a stream's events (the block of each row's ctid).</summary>
    private Task<long> PagesAsync(string stream) =>
        fx.Database.ScalarAsync<long>("SELECT count(DISTINCT (ctid::text::point)[0]) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream));
}
