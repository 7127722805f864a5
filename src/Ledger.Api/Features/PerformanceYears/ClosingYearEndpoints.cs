using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.Agencies;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Ledger.Audit;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/years/{year}/close  (approver) 200 { note? }
//      →  { streamId, version, eventIds, snapshotHash, canonicalization, chainHead: { headSequence, logDigest } }
// After the close every write to the year is 409 year.closed, except realization corrections (flagged afterClose).
//
// Issue 4: the close freezes the year's LKjIP table as a snapshot document (Features/Snapshots/YearSnapshot) and appends
// it, with the streams and versions it was computed from, as year.snapshot-frozen.v1 in the same append as
// year.closed.v1. snapshotHash = SHA-256 of the document's canonical JSON (CanonicalJson, docs/snapshots.md).
// chainHead is the log head (LogHeads: sequence and ledger-log-digest/4, the next link of the chain of heads) that
// holds exactly the events the snapshot was computed from, published for issue 5 (docs/snapshots.md "Chain head").
public static class ClosingYearEndpoints
{
    public sealed record CloseBody(string? Note, string? Reason);

    /// <summary>
    /// Everything the frozen snapshot needs besides the year's own stream, and the log head the close publishes; or, when
    /// the streams it read kept moving (or the head did not settle), why there is no consistent head (<see cref="Unsettled"/>).
    /// </summary>
    public sealed record CloseYearContext(PerformanceYearContext Year, SnapshotInputs Inputs, LogHead? LogHead, string? Unsettled = null);

    /// <summary>Rule of the 409 when no head consistent with the snapshot's inputs could be taken (retry the close).</summary>
    public const string HeadUnsettledRule = "year.close.log-head-unsettled";

    /// <summary>How often the close reloads its inputs when a stream it read moved before the head was taken.</summary>
    public const int HeadAttempts = 5;

    /// <summary>
    /// Loads the snapshot's inputs (<see cref="YearSnapshotReader.LoadCurrentAsync"/>), then takes the log head (after the
    /// year stream and the inputs were loaded), and keeps it only if every stream the inputs depend on (the Renstra
    /// candidates that did not exist included, at version 0) has, at the head, exactly the version its state was loaded
    /// at: the head then holds exactly the events the snapshot was computed from, and nothing else of those streams. The
    /// year stream itself is covered by the append's expected version: the head is taken after the pipeline loaded it, so
    /// if it moved before the head, the append fails and the whole close is decided again. A mismatch (a concurrent write
    /// to a source) reloads, up to <see cref="HeadAttempts"/>.
    /// </summary>
    private static async Task<CloseYearContext> LoadContextAsync(Addressed<CloseBody> c, Reads.ReadLoader reads, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (inputs, versions) = await YearSnapshotReader.LoadCurrentAsync(reads, c.Agency, c.Key, ct);
            var year = new PerformanceYearContext(inputs.AgencyExists, inputs.Renstra) { Today = Contexts.Today() };
            if (!inputs.AgencyExists) return new CloseYearContext(year, inputs, null);
            LogHead head;
            try
            {
                head = await reads.Streams.ReadLogHeadAsync(versions.Keys.ToList(), ct);
            }
            catch (TimeoutException e)
            {
                return new CloseYearContext(year, inputs, null, e.Message);
            }
            var moved = versions.Where(v => head.VersionOf(v.Key) != v.Value).Select(v => v.Key).ToList();
            if (moved.Count == 0) return new CloseYearContext(year, inputs, head);
            if (attempt == HeadAttempts)
                return new CloseYearContext(year, inputs, null,
                    $"The streams the snapshot is computed from kept changing while the log head was taken ({string.Join(", ", moved)}); close again.");
        }
    }

    private static readonly CommandHandler<Addressed<CloseBody>, PerformanceYearState, CloseYearContext> Close = new()
    {
        Stream = c => PerformanceYear.StreamName(c.Agency, c.Key),
        Tenant = c => c.Agency,
        Initial = PerformanceYearState.Initial("", 0),
        LoadContext = LoadContextAsync,
        Decide = (state, c, context) =>
        {
            if (context.Unsettled is { } why) return Decision.Conflict(HeadUnsettledRule, why);
            var year = PerformanceYearHandler.Addressed(state, c);
            var head = context.LogHead is { } h ? new FrozenLogHead(h.Sequence, h.Digest, h.Format) : null;
            var command = YearSnapshot.Close(year, context.Inputs, head, c.Command.Note);
            return DomainCommands.ToPipeline(PerformanceYear.Decide(year, command, context.Year));
        },
        ResponseFields = events =>
        {
            var fields = new Dictionary<string, object?>();
            if (events.OfType<YearClosed>().FirstOrDefault() is { } closed) fields["snapshotHash"] = closed.SnapshotHash;
            if (events.OfType<YearSnapshotFrozen>().FirstOrDefault() is { } f)
            {
                fields["canonicalization"] = f.Canonicalization;
                fields["chainHead"] = new { headSequence = f.LogHeadSequence, logDigest = f.LogDigest, format = f.LogDigestFormat };
            }
            return fields;
        },
    };

    [WolverinePost("/api/agencies/{agency}/years/{year:int}/close"), IdempotencyKey, CommandBody(typeof(CloseBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("CloseYear"), Tags("Years"), EndpointSummary("Close the year: freeze its LKjIP table under a content hash")]
    public static Task<CommandAccepted> CloseYearEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Close, PerformanceYearHandler.FromRoute<CloseBody>(b => b.Reason));


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
