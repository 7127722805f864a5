using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

public class RealizationTests
{
    private static Decision Decide(PerformanceYearState state, PerformanceYearCommand command) =>
        PerformanceYear.Decide(state, command, Surakarta.Context());

    /// <summary>Seed 001 A15: I8 realized 90 % = 5.273 of 5.859 ASN records.</summary>
    private static readonly RecordRealization I8 = new("I8", Period.Y, 90m, 5_273m, 5_859m, "SIMPEG rekap 2023", null, 96.77m);

    private static PerformanceYearState WithI8() => Surakarta.Apply(Surakarta.EmptyYear(), I8);

    [Fact]
    public void Given_no_realization_When_recording_I8_with_numerator_and_denominator_Then_RealizationRecorded_keeps_them()
    {
        var e = Expect.Single<RealizationRecorded>(Decide(Surakarta.EmptyYear(), I8));

        Assert.Equal(new RealizationRecorded("I8", "Y", 90m, 5_273m, 5_859m, "SIMPEG rekap 2023", null, 96.77m), e);
        var r = PerformanceYear.Evolve(Surakarta.EmptyYear(), e).RealizationFor("I8", Period.Y)!;
        Assert.Equal(90m, r.Value);
        Assert.Equal(96.77m, r.ClaimedCapaian);
    }

    [Fact]
    public void Given_an_annual_indicator_When_recording_a_quarter_Then_refused_period_invalid()
    {
        // I1 Indeks Merit is aggregated 'annual' in the fixture: only Y is valid.
        var refused = Expect.Refused(Decide(Surakarta.EmptyYear(), new RecordRealization("I1", Period.Q1, 0.70m)),
            RuleCodes.RealizationPeriodInvalid);
        Assert.Equal("period", refused.Field);
    }

    [Fact]
    public void Given_an_annual_indicator_When_recording_the_year_Then_accepted() =>
        Expect.Single<RealizationRecorded>(Decide(Surakarta.EmptyYear(), new RecordRealization("I1", Period.Y, 0.75m)));

    [Fact]
    public void Given_I8_Y_recorded_When_recording_I8_Y_again_Then_refused_pointing_to_corrections()
    {
        var refused = Expect.Refused(Decide(WithI8(), I8 with { Value = 95m }), RuleCodes.RealizationAlreadyRecorded);
        Assert.Contains("correction", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_I9_reported_by_quarter_When_recording_a_semester_Then_refused_granularity_mixed() =>
        Expect.Refused(Decide(Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I9", Period.Q1, 89.43m)),
            new RecordRealization("I9", Period.S1, 90m)), RuleCodes.RealizationGranularityMixed);

    [Fact]
    public void Given_I9_reported_by_semester_When_recording_a_quarter_Then_refused_granularity_mixed() =>
        Expect.Refused(Decide(Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I9", Period.S1, 89.43m)),
            new RecordRealization("I9", Period.Q3, 90m)), RuleCodes.RealizationGranularityMixed);

    [Fact]
    public void Given_I9_reported_by_quarter_When_recording_the_year_value_Then_accepted() =>
        Expect.Single<RealizationRecorded>(Decide(Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I9", Period.Q1, 89.43m)),
            new RecordRealization("I9", Period.Y, 92.93m)));

    [Fact]
    public void Given_renstra_When_recording_for_an_indicator_outside_it_Then_not_found() =>
        Expect.NotFound(Decide(Surakarta.EmptyYear(), new RecordRealization("I5", Period.Y, 32.44m)), "I5");

    [Fact]
    public void Given_renstra_When_recording_a_negative_value_Then_refused_value_negative() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), I8 with { Value = -1m }), RuleCodes.RealizationValueNegative);

    [Theory]
    [InlineData(-1, 5859)]
    [InlineData(5273, 0)]
    public void Given_renstra_When_the_fraction_is_meaningless_Then_refused_fraction_invalid(int numerator, int denominator) =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), I8 with { Numerator = numerator, Denominator = denominator }),
            RuleCodes.RealizationFractionInvalid);

    [Fact]
    public void Given_I8_at_90_When_corrected_to_89_998_Then_RealizationCorrected_carries_before_after_and_reason()
    {
        var e = Expect.Single<RealizationCorrected>(Decide(WithI8(), new CorrectRealization("I8", Period.Y, 89.998m, "5.273 / 5.859 unrounded")));

        Assert.Equal(new RealizationCorrected("I8", "Y", 90m, 89.998m, "5.273 / 5.859 unrounded", false), e);
        var r = PerformanceYear.Evolve(WithI8(), e).RealizationFor("I8", Period.Y)!;
        Assert.Equal(89.998m, r.Value);
        Assert.Equal(90m, r.OriginalValue);
        Assert.Equal(1, r.Corrections);
    }

    [Fact]
    public void Given_I8_recorded_When_correcting_without_reason_Then_refused_reason_required() =>
        Expect.Refused(Decide(WithI8(), new CorrectRealization("I8", Period.Y, 89m, " ")), RuleCodes.CorrectionReasonRequired);

    [Fact]
    public void Given_no_realization_When_correcting_Then_refused_no_realization() =>
        Expect.Refused(Decide(WithI8(), new CorrectRealization("I2", Period.Y, 87m, "narrative L881")), RuleCodes.CorrectionNoRealization);

    [Fact]
    public void Given_I8_at_90_When_correcting_to_90_Then_refused_same_value() =>
        Expect.Refused(Decide(WithI8(), new CorrectRealization("I8", Period.Y, 90.00m, "no-op")), RuleCodes.CorrectionSameValue);

    [Fact]
    public void Given_I8_recorded_When_correcting_to_a_negative_value_Then_refused_value_negative() =>
        Expect.Refused(Decide(WithI8(), new CorrectRealization("I8", Period.Y, -90m, "typo")), RuleCodes.RealizationValueNegative);

    [Fact]
    public void Given_closed_year_When_correcting_with_a_reason_Then_accepted_and_flagged_after_close()
    {
        // Seed 004 S4 pattern: a correction after the snapshot is recorded, never lost, and visible as such.
        var closed = Surakarta.Apply(WithI8(), new CloseYear("sha256:abc"));

        var e = Expect.Single<RealizationCorrected>(Decide(closed, new CorrectRealization("I8", Period.Y, 89.998m, "salah input")));
        Assert.True(e.AfterClose);
        Assert.True(PerformanceYear.Evolve(closed, e).RealizationFor("I8", Period.Y)!.CorrectedAfterClose);
    }
}
