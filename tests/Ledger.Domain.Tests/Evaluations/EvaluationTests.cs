using Ledger.Domain.Evaluations;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Evaluations;

public class EvaluationTests
{
    private static readonly EvaluationComponents Surakarta7231 = new(21.40m, 22.16m, 11.25m, 17.50m); // Σ 72,31

    private static RecordEvaluation Record(decimal score = 72.31m, string? predikat = null, EvaluationComponents? components = null) =>
        new(score, predikat, components, ["Selaraskan IKU Renstra dengan PK"], "700/123/2024", "NSAKIP");

    private static Decision Decide(EvaluationCommand c, EvaluationState? state = null) => Evaluation.Decide(state ?? EvaluationState.Initial, c, true);

    [Theory]
    [InlineData("72.31", "BB")]
    [InlineData("70", "B")]
    [InlineData("90", "A")]
    [InlineData("90.01", "AA")]
    [InlineData("30", "D")]
    [InlineData("0", "D")]
    public void Given_a_score_When_recording_Then_the_AKIP_88_2021_predikat_is_computed(string score, string predikat) =>
        Assert.Equal(predikat, Expect.Single<EvaluationRecorded>(Decide(Record(decimal.Parse(score, System.Globalization.CultureInfo.InvariantCulture)))).Predikat);

    [Fact]
    public void Given_components_summing_to_the_score_When_recording_with_matching_predikat_Then_numbered_recommendations()
    {
        var e = Expect.Single<EvaluationRecorded>(Decide(Record(predikat: "BB", components: Surakarta7231)));
        Assert.Equal(new Recommendation(1, "Selaraskan IKU Renstra dengan PK"), Assert.Single(e.Recommendations));
        Assert.Equal("NSAKIP", e.Indicator);
    }

    [Fact]
    public void Given_a_printed_predikat_that_does_not_match_When_recording_Then_refused_predikat_mismatch() =>
        Expect.Refused(Decide(Record(predikat: "A")), RuleCodes.EvaluationPredikatMismatch);

    [Fact]
    public void Given_components_off_by_one_hundredth_When_recording_Then_refused_sum_mismatch() =>
        Expect.Refused(Decide(Record(components: Surakarta7231 with { Pelaporan = 11.26m })), RuleCodes.EvaluationComponentsSumMismatch);

    [Fact]
    public void Given_a_component_above_its_maximum_When_recording_Then_refused_out_of_range() =>
        Expect.Refused(Decide(Record(score: 72.31m, components: new(31m, 12.56m, 11.25m, 17.50m))), RuleCodes.EvaluationComponentOutOfRange);

    [Fact]
    public void Given_a_score_above_100_When_recording_Then_refused() =>
        Expect.Refused(Decide(Record(score: 100.5m)), RuleCodes.EvaluationScoreOutOfRange);

    [Fact]
    public void Given_an_evaluation_When_following_up_recommendation_1_Then_recorded_and_2_is_not_found()
    {
        var state = Evaluation.Replay(Expect.Accepted(Decide(Record())));
        var f = Expect.Single<FollowUpRecorded>(Decide(new RecordFollowUp(1, "Reviu IKU", FollowUpStatus.InProgress, null), state));
        Assert.Equal("in-progress", f.Status);
        Expect.NotFound(Decide(new RecordFollowUp(2, "x", FollowUpStatus.Done, null), state), "recommendation");
        Expect.Refused(Decide(Record(), state), RuleCodes.EvaluationAlreadyRecorded);
    }
}
