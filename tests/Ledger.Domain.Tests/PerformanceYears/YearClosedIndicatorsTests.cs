using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

/// <summary>
/// A year close carries the indicators the year committed or reported (<see cref="YearClosed.IndicatorsCommittedOrReported"/>),
/// so the history's year-close entries no longer need the year's earlier events. The set the decision writes must be the
/// set the history mapping learns by folding those events (what every close recorded before the field still relies on):
/// the entries of a close carrying the set, read with NO earlier events, equal the entries of the same close without it,
/// read after folding the year's events.
/// </summary>
public class YearClosedIndicatorsTests
{
    private const string Stream = "year-" + Surakarta.Agency + "-2023";

    public static TheoryData<string, PerformanceYearCommand[]> Years() => new()
    {
        { "PK murni, two realizations, PK perubahan, a correction",
            [Surakarta.PkMurni, new RecordRealization("I2", Period.Y, 75m), new RecordRealization("I8", Period.Y, 90m), Surakarta.PkPerubahan,
                new CorrectRealization("I2", Period.Y, 77.75m, "Salah ketik")] },
        { "no PK, one realization", [new RecordRealization("I1", Period.Y, 0.75m)] },
        { "a PK perubahan adding an indicator, then realizations",
            [Surakarta.PkMurni, new RevisePk("Indikator baru", PkRevisionGround.PriorityChange, new DateOnly(2023, 10, 2), Surakarta.Kepala,
                [new PkTarget("I1", 1m)]), new RecordRealization("I9", Period.Q1, 50m), new RecordRealization("I1", Period.Y, 0.75m)] },
        { "nothing at all", [] },
    };

    [Theory]
    [MemberData(nameof(Years))]
    public void TheCloseCarriesWhatTheYearsEventsWouldTeach(string _, PerformanceYearCommand[] commands)
    {
        var state = Surakarta.EmptyYear();
        var events = new List<IDomainEvent>();
        foreach (var command in commands)
        {
            var accepted = Expect.Accepted(PerformanceYear.Decide(state, command, Surakarta.Context()));
            events.AddRange(accepted);
            state = accepted.Aggregate(state, PerformanceYear.Evolve);
        }
        var close = Expect.Single<YearClosed>(PerformanceYear.Decide(state, new CloseYear("h", "LKjIP"), Surakarta.Context()));
        Assert.NotNull(close.IndicatorsCommittedOrReported);
        Assert.False(IndicatorHistory.NeedsEarlierEvents(close));

        // The old shape of the same close needs the earlier events, and gets them folded into its memory.
        var old = close with { IndicatorsCommittedOrReported = null };
        Assert.True(IndicatorHistory.NeedsEarlierEvents(old));
        var memory = new IndicatorHistoryMemory();
        var seq = 0L;
        foreach (var e in events) memory.Remember(Audited(++seq, e));

        var fromEvents = IndicatorHistory.Entries(Audited(++seq, old), memory).Select(Shape).ToList();
        var carried = IndicatorHistory.Entries(Audited(seq, close), new IndicatorHistoryMemory()).Select(Shape).ToList();
        Assert.Equal(fromEvents, carried);
        Assert.Equal(close.IndicatorsCommittedOrReported!.Union(close.IndicatorsWithoutRealization).Order(StringComparer.Ordinal),
            carried.Select(c => c.Indicator));
    }

    [Fact]
    public void APkPerubahanAddingAnIndicator_AndARealizationWithoutAPk_AreInTheSet()
    {
        var state = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni,
            new RevisePk("Indikator baru", PkRevisionGround.PriorityChange, new DateOnly(2023, 10, 2), Surakarta.Kepala, [new PkTarget("I1", 1m)]));
        Assert.Equal(["I1", "I2", "I6", "I7", "I8", "I9"], ClosingYearDecision.CommittedOrReported(state));
        Assert.Equal(["I1"], ClosingYearDecision.CommittedOrReported(Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I1", Period.Y, 0.75m))));
        Assert.Empty(ClosingYearDecision.CommittedOrReported(Surakarta.EmptyYear()));
    }

    private static AuditedEvent Audited(long seq, IDomainEvent e) =>
        new(seq, Guid.Empty, Stream, 2023, DateTimeOffset.UnixEpoch.AddDays(seq), Actor.Unknown, null, e);

    private static (string Indicator, string Kind, string? Note, int? Year) Shape(IndicatorHistoryItem i) =>
        (i.Indicator, i.Entry.Kind, i.Entry.Note, i.Entry.Year);
}
