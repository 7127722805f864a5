using System.Text.Json;
using Alba;
using Ledger.Api.Commands;
using Ledger.Api.Features.Reads;
using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Api.Tests.Audit;
using Ledger.Api.Tests.Writes;
using Ledger.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Snapshots;

/// <summary>The service with a configured snapshot key and a year snapshot every <see cref="SnapshotEvery"/> versions.</summary>
public sealed class SnapshotsAheadApiFactory() : KeyedSnapshotsApiFactory(SnapshotEvery)
{
    public const int SnapshotEvery = 10;
}

/// <summary>Its own database: <see cref="ClosesFromSnapshotsTests"/> forges a snapshot row, which the other class's verifier would name.</summary>
public sealed class ForgedSnapshotApiFactory() : KeyedSnapshotsApiFactory(SnapshotsAheadApiFactory.SnapshotEvery);

/// <summary>What the snapshot-ahead tests share: the keyed rows, a replay of the log in the snapshot's form.</summary>
internal static class SnapshotsAhead
{
    public static StreamSnapshots Snapshots(KeyedSnapshotsApiFactory f) => new(f.Database.Owner, Convert.FromHexString(f.SnapshotKeyHex));

    public static Task<long> RowsAsync(LedgerApiFactory f, string stream) =>
        f.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_cache.stream_snapshots WHERE stream_id = @s", ("s", stream));

    /// <summary>A fold of the year stream's events 1..<paramref name="version"/> from the log, in the snapshot's form.</summary>
    public static async Task<string> ReplayedAsync(LedgerApiFactory f, string agency, int year, long version)
    {
        var loader = new StreamLoader(f.Store, f.Database.Owner);
        var events = await loader.ReadAsync(Ledger.Domain.PerformanceYears.PerformanceYear.StreamName(agency, year), new StreamBound { UpToVersion = version });
        Assert.Equal(version, events.Count);
        var state = Ledger.Domain.PerformanceYears.PerformanceYear.Replay(agency, year, events.Select(Ledger.Api.Infrastructure.DomainCommands.Decode));
        return ReadLoader.YearCodec.Serialize(state);
    }

    public static object Correction(decimal value) => new { indicator = "I2", year = 2023, period = "Y", value, reason = "Koreksi " + value };
}

/// <summary>
/// Issue 13, first touches: a command whose append takes a year stream across a multiple of the snapshot interval writes
/// the stream's snapshot there once it has committed (ahead of any read), and a process that has not folded the stream
/// yet (a restart, another host) starts a command's fold from it, and the read models' daemon its re-fold; what they
/// decide is what a fold of every event decides. A process that cannot authenticate the row folds every event.
/// </summary>
public sealed class SnapshotsAheadTests(SnapshotsAheadApiFactory f) : IClassFixture<SnapshotsAheadApiFactory>
{
    private const int Every = SnapshotsAheadApiFactory.SnapshotEvery;

    private StreamSnapshots Snapshots => SnapshotsAhead.Snapshots(f);

    private Task<long> SnapshotRowsAsync(string stream) => SnapshotsAhead.RowsAsync(f, stream);

    private Task<string> ReplayedAsync(string agency, int year, long version) => SnapshotsAhead.ReplayedAsync(f, agency, year, version);

    private static object Correction(decimal value) => SnapshotsAhead.Correction(value);

    private static async Task<decimal> BeforeOfLastAsync(LedgerApiFactory f, string stream)
    {
        var last = (await f.PayloadsAsync(stream))[^1];
        Assert.Equal("realization.corrected.v1", last.Type);
        return JsonDocument.Parse(last.Json).RootElement.GetProperty("before").GetDecimal();
    }

    [Fact]
    public async Task Commands_WriteTheSnapshotWhenTheyCrossTheInterval_AnotherProcessFoldsFromIt_TheDaemonsStartsAreIt()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201); // version 1
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m }); // 2
        for (var v = 3; v < Every; v++) await s.PostAsync(s.Staff, "realizations/corrections", Correction(70 + v));
        Assert.Equal(0, await SnapshotRowsAsync(s.YearStream)); // version 9: nothing crossed yet (and no read replayed)

        await s.PostAsync(s.Staff, "realizations/corrections", Correction(80)); // version 10
        var written = await Snapshots.LatestWithChainHashAsync(s.YearStream, ReadLoader.YearCodec.StateType, null);
        Assert.NotNull(written);
        Assert.Equal(Every, written.Snapshot.Version);
        Assert.True(written.Snapshot.Authentic);
        Assert.Equal(written.ChainHash, written.Snapshot.EventHash);
        Assert.Equal((await f.EventsAsync(s.YearStream))[Every - 1].Timestamp, written.Snapshot.RecordedAt);
        Assert.Equal(await ReplayedAsync(s.Agency, 2023, Every), written.Snapshot.Json);
        Assert.Equal(1, await SnapshotRowsAsync(s.YearStream));
        // 11..13: realizations of three other indicators, which only the events after the snapshot hold.
        foreach (var (indicator, value) in new[] { ("I6", 0.2m), ("I7", 1.5m), ("I8", 81m) })
            await s.PostAsync(s.Staff, "realizations", new { indicator, year = 2023, period = "Y", value });
        Assert.Equal(1, await SnapshotRowsAsync(s.YearStream));

        // Another process with the same key and nothing in memory: its first command on the stream folds from the
        // snapshot (version 10) and the three events after it, and decides as a full fold would: I6's realization is
        // there to correct ("before" = 0.2), and the fold it keeps afterwards is the fold of all 14 events.
        await using (var other = await f.StartHostAsync(_ => { }))
        {
            var runner = other.Services.GetRequiredService<CommandRunner>();
            await other.Scenario(x =>
            {
                x.WithBearerToken(s.Staff);
                x.Post.Json(new { indicator = "I6", year = 2023, period = "Y", value = 0.3m, reason = "Koreksi I6" })
                    .ToUrl($"/api/agencies/{s.Agency}/realizations/corrections");
                x.StatusCodeShouldBe(200);
            });
            Assert.Equal(1, runner.FoldsFromSnapshots);
            Assert.Equal(0.2m, await BeforeOfLastAsync(f, s.YearStream));
            var kept = other.Services.GetRequiredService<StreamStateCache>().Get<Folded<Ledger.Domain.PerformanceYears.PerformanceYearState>>(s.YearStream);
            Assert.NotNull(kept);
            Assert.Equal(Every + 4, kept.Version);
            Assert.Equal(await ReplayedAsync(s.Agency, 2023, Every + 4),
                ReadLoader.YearCodec.Serialize(kept.State.State with { AgencyCode = s.Agency, Year = 2023 }));
        }

        // A process under another key cannot tell the row from a forged one: it folds every event, and decides the same.
        await using (var foreign = await f.StartHostAsync(b => b.UseSetting("Ledger:SnapshotKey", Convert.ToHexString(StreamSnapshots.NewKey()))))
        {
            await foreign.Scenario(x =>
            {
                x.WithBearerToken(s.Staff);
                x.Post.Json(Correction(95)).ToUrl($"/api/agencies/{s.Agency}/realizations/corrections");
                x.StatusCodeShouldBe(200);
            });
            Assert.Equal(0, foreign.Services.GetRequiredService<CommandRunner>().FoldsFromSnapshots);
            Assert.Equal(80m, await BeforeOfLastAsync(f, s.YearStream));
        }
        Assert.Equal(15, (await f.EventsAsync(s.YearStream)).Count);

        // The read models' daemon is handed the same starts, found up to the sequence it has folded.
        var starts = f.Services.GetRequiredService<SnapshotStarts>();
        Assert.Same(starts, f.Services.GetRequiredService<RegisteredReadModels>().Sakip!.State.YearStarts);
        Assert.Same(starts, f.Services.GetRequiredService<RegisteredReadModels>().Sakip!.State.RenstraStarts);
        var found = await starts.FindAsync([(s.YearStream, s.Agency, 2023)], long.MaxValue, CancellationToken.None);
        var start = Assert.Single(found).Value;
        Assert.Equal(Every, start.Version);
        Assert.Equal(await ReplayedAsync(s.Agency, 2023, Every), ReadLoader.YearCodec.Serialize(start.State));
        var events = await f.EventsAsync(s.YearStream);
        Assert.Empty(await starts.FindAsync([(s.YearStream, s.Agency, 2023)], events[Every - 2].Sequence, CancellationToken.None));
        Assert.Empty(await starts.FindAsync([(s.YearStream, "another-agency", 2023)], long.MaxValue, CancellationToken.None));

        // The verifier replays the row and finds it equal.
        var verified = await DerivedState.VerifyAsync(f);
        Assert.True(verified.GetProperty("ok").GetBoolean(), verified.ToString());
    }
}

/// <summary>
/// Issue 13, the year close: its inputs are loaded as commands load a stream (2026-12-07; before, the year before and both
/// years' Renstra plans were read whole from the log at every close), so a process that has not folded the year before
/// starts it from its usable snapshot and the events after it.
/// </summary>
public sealed class ClosesFromSnapshotsTests(ForgedSnapshotApiFactory f) : IClassFixture<ForgedSnapshotApiFactory>
{
    private const int Every = SnapshotsAheadApiFactory.SnapshotEvery;

    private StreamSnapshots Snapshots => SnapshotsAhead.Snapshots(f);

    /// <summary>
    /// An agency whose 2023 stream has a snapshot written ahead at version 10 and one correction after it (version 11,
    /// I2's realization <paramref name="last"/>), and a PK for 2024, ready to close 2024.
    /// </summary>
    private async Task<Surakarta> YearBeforeWithSnapshotAsync(decimal last)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m });
        for (var v = 3; v <= Every; v++) await s.PostAsync(s.Staff, "realizations/corrections", SnapshotsAhead.Correction(70 + v));
        await s.PostAsync(s.Staff, "realizations/corrections", SnapshotsAhead.Correction(last));
        Assert.Equal(1, await SnapshotsAhead.RowsAsync(f, s.YearStream));
        await s.PostAsync(s.Approver, "pk/2024", Surakarta.PkMurni, 201);
        return s;
    }

    private static decimal? PreviousI2(JsonElement snapshotRead) => snapshotRead.GetProperty("snapshot").GetProperty("indicators").EnumerateArray()
        .Single(x => x.GetProperty("code").GetString() == "I2").GetProperty("previous") is { ValueKind: JsonValueKind.Object } p
        ? p.GetProperty("realization").GetDecimal()
        : null;

    /// <summary>
    /// What a close in a process that has not folded the year before freezes is what a replay gives, and the
    /// recompute from the log agrees. A row written with the service's key that does not fold from the log is what the
    /// close then freezes: the snapshot's own verification and the derived-state verifier both name it.
    /// </summary>
    [Fact]
    public async Task Close_InAProcessThatHasNotFoldedTheYearBefore_TakesItFromItsSnapshot_AForgedRowIsCaughtByVerify()
    {
        var honest = await YearBeforeWithSnapshotAsync(81.25m);
        var forged = await YearBeforeWithSnapshotAsync(77.75m);
        // With the service's key, a row at version 11 (none there: the interval is 10) whose state says 12.5 for I2.
        var stream = forged.YearStream;
        var json = await SnapshotsAhead.ReplayedAsync(f, forged.Agency, 2023, Every + 1);
        Assert.Contains("77.75", json);
        var eleventh = (await f.EventsAsync(stream))[Every];
        await Snapshots.SaveAsync(stream, Every + 1, eleventh.Timestamp, (await Snapshots.ChainHashAsync(stream, Every + 1))!,
            ReadLoader.YearCodec.StateType, json.Replace("77.75", "12.5"));

        await using (var other = await f.StartHostAsync(_ => { }))
        {
            foreach (var s in new[] { honest, forged })
                await other.Scenario(x =>
                {
                    x.WithBearerToken(s.Approver);
                    x.Post.Json(new { note = "LKjIP 2024" }).ToUrl($"/api/agencies/{s.Agency}/years/2024/close");
                    x.StatusCodeShouldBe(200);
                });
        }

        // The honest agency: the year before as a replay of all 11 events gives it (the correction after the row included).
        var read = await f.GetAsync(honest.Staff, $"/api/agencies/{honest.Agency}/years/2024/snapshot");
        Assert.Equal(81.25m, PreviousI2(read));
        var verified = await f.GetAsync(honest.Approver, $"/api/agencies/{honest.Agency}/years/2024/snapshot/verify");
        Assert.True(verified.GetProperty("ok").GetBoolean(), verified.GetRawText());

        // The forged row steered the close (so the close did start from the row), and both verifications catch it.
        Assert.Equal(12.5m, PreviousI2(await f.GetAsync(forged.Staff, $"/api/agencies/{forged.Agency}/years/2024/snapshot")));
        var recomputed = await f.GetAsync(forged.Approver, $"/api/agencies/{forged.Agency}/years/2024/snapshot/verify");
        Assert.False(recomputed.GetProperty("ok").GetBoolean(), recomputed.GetRawText());
        Assert.NotEqual(recomputed.GetProperty("storedHash").GetString(), recomputed.GetProperty("recomputedHash").GetString());
        var derived = await DerivedState.VerifyAsync(f);
        Assert.False(derived.GetProperty("ok").GetBoolean());
        Assert.Contains(stream, derived.GetRawText());
    }
}
