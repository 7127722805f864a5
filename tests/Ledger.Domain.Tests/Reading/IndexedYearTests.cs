using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Reading;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Reading;

/// <summary>
/// The read models (issue 4) build rows through <see cref="IndexedYear"/>; the HTTP reads through the scanning
/// overloads. Both must give the same rows, text for text (decimals compared with their scale through ToString).
/// </summary>
public class IndexedYearTests
{
    private static readonly CapaianPolicy Policy = CapaianPolicy.Default;

    private static (PerformanceYearState Previous, PerformanceYearState Current) Years()
    {
        var context = Surakarta.Context();
        var previous = Surakarta.Apply(Surakarta.EmptyYear(2022), context,
            new RecordRealization("I1", Period.Y, 0.65m), new RecordRealization("I2", Period.Y, 72m));
        var current = Surakarta.Apply(Surakarta.EmptyYear(), context,
            Surakarta.PkMurni, Surakarta.PkPerubahan, Surakarta.BudgetMurni, Surakarta.BudgetPerubahan,
            new RecordRealization("I1", Period.Y, 0.75m), new RecordRealization("I2", Period.Y, 75m),
            new RecordRealization("I8", Period.Y, 90m, 5_273m, 5_859m, null, null, 100m),
            new CorrectRealization("I8", Period.Y, 89.998m, "5.273 / 5.859 unrounded"),
            new RecordSpending("1", 8_149_751_661m, Period.Y), new RecordSpending("2", 3_649_094_188m, Period.Y));
        return (previous, current);
    }

    [Fact]
    public void Given_Surakarta_years_When_building_every_row_through_the_index_Then_rows_equal_the_scanning_overloads()
    {
        var (previous, current) = Years();
        var renstra = Surakarta.Renstra();
        var (ip, ic) = (new IndexedYear(previous), new IndexedYear(current));
        Assert.NotEmpty(current.Realizations);

        foreach (var d in renstra.Indicators)
        {
            Assert.Equal(PerformanceTable.HasRow(d, current), PerformanceTable.HasRow(d, ic));
            var plain = PerformanceTable.Row(d, renstra, current, previous, Surakarta.Scale, Surakarta.Scale, Policy, renstra);
            var indexed = PerformanceTable.Row(d, renstra, ic, ip, Surakarta.Scale, Surakarta.Scale, Policy, renstra);
            Assert.Equal(plain.ToString(), indexed.ToString());

            var v = IndicatorYearView.Build(d, 2023, current, Surakarta.Scale, Policy);
            var w = IndicatorYearView.Build(d, 2023, ic, Surakarta.Scale, Policy);
            Assert.Equal(v with { Realizations = w.Realizations }, w);
            Assert.Equal(v.Targets.ToString(), w.Targets.ToString());
            Assert.Equal(v.Realizations.Select(p => $"{p.Key}={p.Value}"), w.Realizations.Select(p => $"{p.Key}={p.Value}"));
        }
    }
}
