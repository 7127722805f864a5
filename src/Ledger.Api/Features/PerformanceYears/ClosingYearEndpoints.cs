using FluentValidation;
using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain.Agencies;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Ledger.EventStore;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/years/{year}/close  (approver) 200 { note? }
//      →  { streamId, version, eventIds, snapshotHash, canonicalization, chainHead: { headSequence, logDigest } }
// After the close every write to the year is 409 year.closed, except realization corrections (flagged afterClose).
//
// Issue 4: the close freezes the year's LKjIP table as a snapshot document (Features/Snapshots/YearSnapshot) and appends
// it, with the streams and versions it was computed from, as year.snapshot-frozen.v1 in the same append as
// year.closed.v1. snapshotHash = SHA-256 of the document's canonical JSON (CanonicalJson, docs/snapshots.md).
// chainHead is the whole log's rolling digest (ChainVerifier) at the head the close saw, published for issue 5.
public static class ClosingYearEndpoints
{
    public sealed record CloseBody(string? Note, string? Reason);

    /// <summary>Everything the frozen snapshot needs besides the year's own stream, and the log head the close saw.</summary>
    public sealed record CloseYearContext(PerformanceYearContext Year, SnapshotInputs Inputs, ChainVerification? LogHead);

    private static readonly CommandHandler<Addressed<CloseBody>, PerformanceYearState, CloseYearContext> Close = new()
    {
        Stream = c => new StreamName(PerformanceYear.StreamName(c.Agency, c.Key)),
        StreamType = "performance-year",
        Tenant = c => c.Agency,
        Initial = PerformanceYearState.Initial("", 0),
        Evolve = DomainCommands.Evolve<PerformanceYearState>(PerformanceYear.Evolve),
        LoadContext = async (c, reader, ct) =>
        {
            var inputs = await YearSnapshot.LoadCurrentAsync(reader, c.Agency, c.Key, ct);
            // The digest covers the whole log: O(events), run once per agency-year. Only the Postgres store has a chain.
            var head = inputs.AgencyExists && reader is PostgresEventStore pg ? await ChainVerifier.VerifyAsync(pg.DataSource, ct) : null;
            return new CloseYearContext(new PerformanceYearContext(inputs.AgencyExists, inputs.Renstra), inputs, head);
        },
        Decide = (state, c, context) =>
        {
            var year = PerformanceYearHandler.Addressed(state, c);
            var table = YearSnapshot.Build(year, context.Inputs);
            var frozen = new FrozenSnapshot(CanonicalJson.Name, table, context.Inputs.Sources, context.LogHead?.HeadSequence, context.LogHead?.LogDigest);
            var command = new CloseYear(YearSnapshot.Hash(table), c.Command.Note) { Frozen = frozen };
            return DomainCommands.ToPipeline(PerformanceYear.Decide(year, command, context.Year));
        },
        ResponseFields = events =>
        {
            var fields = new Dictionary<string, object?>();
            if (events.OfType<YearClosed>().FirstOrDefault() is { } closed) fields["snapshotHash"] = closed.SnapshotHash;
            if (events.OfType<YearSnapshotFrozen>().FirstOrDefault() is { } f)
            {
                fields["canonicalization"] = f.Canonicalization;
                fields["chainHead"] = new { headSequence = f.LogHeadSequence, logDigest = f.LogDigest };
            }
            return fields;
        },
    };

    public static void MapClosingYearEndpoints(this RouteGroupBuilder api)
    {
        api.MapCommand("/agencies/{agency}/years/{year:int}/close", Close, PerformanceYearHandler.FromRoute<CloseBody>(b => b.Reason))
            .RequireAgency(Authorization.Access.Sign)
            .WithName("CloseYear").WithTags("Years").WithSummary("Close the year: freeze its LKjIP table under a content hash");
    }

    public static IServiceCollection AddClosingYearValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<CloseBody, CloseBodyValidator>("year");

    public sealed class CloseBodyValidator : AbstractValidator<CloseBody>
    {
        public CloseBodyValidator()
        {
            RuleFor(b => b.Note).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }
}
