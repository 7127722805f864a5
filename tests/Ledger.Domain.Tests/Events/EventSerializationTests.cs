using System.Text.Json;
using Ledger.Domain.Agencies;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Events;

/// <summary>Events stored as System.Text.Json (camelCase) and read back by their registered name must replay to the same state.</summary>
public class EventSerializationTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static IDomainEvent RoundTrip(IDomainEvent e)
    {
        var name = DomainEventTypes.NameOf(e);
        var json = JsonSerializer.Serialize(e, e.GetType(), Json);
        var type = DomainEventTypes.TypeOf(name) ?? throw new InvalidOperationException(name);
        var back = (IDomainEvent)JsonSerializer.Deserialize(json, type, Json)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, type, Json));
        return back;
    }

    private static string StateJson<T>(T state) => JsonSerializer.Serialize(state, Json);

    [Fact]
    public void Given_registry_When_listing_Then_names_and_types_are_unique_versioned_events()
    {
        var all = DomainEventTypes.All;
        Assert.Equal(all.Count, all.Select(e => e.Name).Distinct().Count());
        Assert.Equal(all.Count, all.Select(e => e.Type).Distinct().Count());
        Assert.All(all, e =>
        {
            Assert.True(typeof(IDomainEvent).IsAssignableFrom(e.Type), e.Type.Name);
            Assert.Matches(@"^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\.v\d+$", e.Name);
        });
        Assert.Equal("pk.signed.v1", DomainEventTypes.NameOf(typeof(Ledger.Domain.PerformanceYears.SigningPk.PkSigned)));
    }

    [Fact]
    public void Given_every_concrete_domain_event_When_looking_for_its_name_Then_it_is_registered()
    {
        var concrete = typeof(IDomainEvent).Assembly.GetTypes()
            .Where(t => typeof(IDomainEvent).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        Assert.All(concrete, t => Assert.NotNull(DomainEventTypes.NameOf(t)));
    }

    [Fact]
    public void Given_Surakarta_year_events_When_serialized_and_replayed_Then_same_state()
    {
        var context = Surakarta.Context();
        var events = new List<IDomainEvent>();
        var state = Surakarta.EmptyYear();
        PerformanceYearCommand[] commands =
        [
            Surakarta.PkMurni, Surakarta.PkPerubahan, Surakarta.BudgetMurni, Surakarta.BudgetPerubahan,
            new RecordRealization("I8", Period.Y, 90m, 5_273m, 5_859m, "rekap", "catatan", 96.77m),
            new RecordSpending("1", 8_149_751_661m, Period.Y),
            new CloseYear("sha256:feed"),
            new CorrectRealization("I8", Period.Y, 89.998m, "unrounded"),
        ];
        foreach (var command in commands)
        {
            var produced = Expect.Accepted(PerformanceYear.Decide(state, command, context));
            events.AddRange(produced);
            state = produced.Aggregate(state, PerformanceYear.Evolve);
        }

        var replayed = PerformanceYear.Replay(Surakarta.Agency, Surakarta.Year, events.Select(RoundTrip));

        Assert.Equal(StateJson(state), StateJson(replayed));
        Assert.Equal(1.85m, replayed.CurrentPk!.TargetFor("I7"));
        Assert.True(replayed.Realizations.Single().CorrectedAfterClose);
    }

    [Fact]
    public void Given_renstra_and_agency_events_When_serialized_and_replayed_Then_same_state()
    {
        var renstraEvents = new List<IDomainEvent> { new RenstraCreated("bkpsdm-surakarta", 2021, 2026, "Renstra", "Perwali 29/2021", null) };
        var ctx = new RenstraContext(true);
        var renstra = Renstra.Replay(renstraEvents);
        foreach (RenstraCommand command in Surakarta.Indicators.Cast<RenstraCommand>()
                     .Append(new ReviseRenstra("RPJMD berubah", "Perwali", [new("I2", 2026, 92m)])))
        {
            var produced = Expect.Accepted(Renstra.Decide(renstra, command, ctx));
            renstraEvents.AddRange(produced);
            renstra = produced.Aggregate(renstra, Renstra.Evolve);
        }
        Assert.Equal(StateJson(renstra), StateJson(Renstra.Replay(renstraEvents.Select(RoundTrip))));

        var agency = Surakarta.RegisteredAgency();
        var scaleSet = new RatingScaleSet("Surakarta", 2021, [.. Surakarta.Scale.Bands.Select(b => new RatingBandData(b.Label, b.Min, b.MinInclusive, b.Max, b.MaxInclusive))]);
        Assert.Equal(StateJson(agency.Evolve(scaleSet)), StateJson(Agency.Evolve(agency, RoundTrip(scaleSet))));
    }

    [Fact]
    public void Given_PK_perubahan_event_When_serialized_Then_camelCase_decimal_numbers_and_wire_words()
    {
        var e = Expect.Accepted(PerformanceYear.Decide(Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni),
            Surakarta.PkPerubahan, Surakarta.Context())).Single();

        var json = JsonSerializer.Serialize(e, e.GetType(), Json);

        Assert.Contains("\"ground\":\"budget-change\"", json, StringComparison.Ordinal);
        Assert.Contains("\"before\":1.48,\"after\":1.85", json, StringComparison.Ordinal);
        Assert.Contains("\"signedOn\":\"2023-10-02\"", json, StringComparison.Ordinal);
        Assert.Contains("\"target\":68.58", json, StringComparison.Ordinal);
    }
}
