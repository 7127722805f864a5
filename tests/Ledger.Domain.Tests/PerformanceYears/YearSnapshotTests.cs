using System.Text;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

/// <summary>The year-close rule in the domain: which table is frozen and which hash seals it.</summary>
public class YearSnapshotTests
{
    private static PerformanceYearState Year(decimal i8 = 90m) =>
        Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, Surakarta.BudgetMurni,
            new RecordRealization("I2", Period.Y, 75m), new RecordRealization("I8", Period.Y, i8));

    private static SnapshotInputs Inputs() =>
        new(true, Surakarta.RegisteredAgency(), Surakarta.Renstra(), null, null,
            [new SnapshotSource("agency-bkpsdm-surakarta", 1), new SnapshotSource("renstra-bkpsdm-surakarta-2021", 12)]);

    [Fact]
    public void Close_freezes_the_built_table_under_its_canonical_hash_with_sources_and_head()
    {
        var head = new FrozenLogHead(4711, "ab12", "ledger-log-digest/2");
        var command = YearSnapshot.Close(Year(), Inputs(), head, "LKjIP 2023");

        var table = YearSnapshot.Build(Year(), Inputs());
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(CanonicalJson.Encode(table, YearSnapshot.Json)));
        Assert.Equal(expected, command.SnapshotHash);
        Assert.Matches("^[0-9a-f]{64}$", command.SnapshotHash);
        var frozen = command.Frozen!;
        Assert.Equal(CanonicalJson.Name, frozen.Canonicalization);
        Assert.Equal(Inputs().Sources, frozen.Sources);
        Assert.Equal((4711L, "ab12", "ledger-log-digest/2"), (frozen.LogHeadSequence!.Value, frozen.LogDigest, frozen.LogDigestFormat));

        var events = Expect.Accepted(PerformanceYear.Decide(Year(), command, Surakarta.Context()));
        var closed = Assert.IsType<YearClosed>(events[0]);
        var stored = Assert.IsType<YearSnapshotFrozen>(events[1]);
        Assert.Equal(command.SnapshotHash, closed.SnapshotHash);
        Assert.Equal(closed.SnapshotHash, YearSnapshot.Hash(stored.Snapshot)); // the stored document hashes to the stored hash
    }

    [Fact]
    public void The_same_year_and_inputs_give_the_same_hash_and_one_changed_realization_another()
    {
        Assert.Equal(YearSnapshot.Close(Year(), Inputs(), null, null).SnapshotHash, YearSnapshot.Close(Year(), Inputs(), null, "other note").SnapshotHash);
        Assert.NotEqual(YearSnapshot.Close(Year(), Inputs(), null, null).SnapshotHash, YearSnapshot.Close(Year(i8: 91m), Inputs(), null, null).SnapshotHash);
    }

    [Fact]
    public void The_table_is_serialised_camelCase_with_decimals_at_their_recorded_scale()
    {
        var text = Encoding.UTF8.GetString(CanonicalJson.Encode(YearSnapshot.Build(Year(i8: 90.50m), Inputs()), YearSnapshot.Json));
        Assert.Contains("90.50", text, StringComparison.Ordinal);
        Assert.Contains("\"agencyCode\":", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"AgencyCode\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_head_the_frozen_document_says_none_was_taken()
    {
        var frozen = YearSnapshot.Close(Year(), Inputs(), null, null).Frozen!;
        Assert.Null(frozen.LogHeadSequence);
        Assert.Null(frozen.LogDigest);
    }
}
