using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
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

// POST /api/agencies/{agency}/years/{year}/close  (approver) 200 { note? }  →  { streamId, version, eventIds, snapshotHash }
// After the close every write to the year is 409 year.closed, except realization corrections (flagged afterClose).
//
// snapshotHash, for now: SHA-256 (lowercase hex) of the canonical JSON of the year's LKjIP performance table,
// built with the pure Ledger.Domain.Reading.PerformanceTable from the replayed streams at the moment of closing.
// Issue 4 replaces this with the frozen snapshot table (GET /years/{year}/snapshot) and hashes that instead.
public static class ClosingYearEndpoints
{
    public sealed record CloseBody(string? Note, string? Reason);

    /// <summary>Everything the performance table of the year needs besides the year's own stream.</summary>
    public sealed record CloseYearContext(
        PerformanceYearContext Year, AgencyState Agency, PerformanceYearState? Previous, RenstraState? PreviousRenstra);

    private static readonly CommandHandler<Addressed<CloseBody>, PerformanceYearState, CloseYearContext> Close = new()
    {
        Stream = c => new StreamName(PerformanceYear.StreamName(c.Agency, c.Key)),
        StreamType = "performance-year",
        Tenant = c => c.Agency,
        Initial = PerformanceYearState.Initial("", 0),
        Evolve = DomainCommands.Evolve<PerformanceYearState>(PerformanceYear.Evolve),
        LoadContext = async (c, reader, ct) => new CloseYearContext(
            await Contexts.ForYearAsync(reader, c.Agency, c.Key, ct),
            await Contexts.AgencyAsync(reader, c.Agency, ct),
            await Contexts.YearAsync(reader, c.Agency, c.Key - 1, ct),
            await Contexts.RenstraCoveringAsync(reader, c.Agency, c.Key - 1, ct)),
        Decide = (state, c, context) =>
        {
            var year = PerformanceYearHandler.Addressed(state, c);
            var hash = SnapshotHash(Table(year, context));
            return DomainCommands.ToPipeline(PerformanceYear.Decide(year, new CloseYear(hash, c.Command.Note), context.Year));
        },
        ResponseFields = events => events.OfType<YearClosed>().FirstOrDefault() is { } closed
            ? new Dictionary<string, object?> { ["snapshotHash"] = closed.SnapshotHash }
            : new Dictionary<string, object?>(),
    };

    public static void MapClosingYearEndpoints(this RouteGroupBuilder api)
    {
        api.MapCommand("/agencies/{agency}/years/{year:int}/close", Close, PerformanceYearHandler.FromRoute<CloseBody>(b => b.Reason))
            .RequireAgency(Authorization.Access.Sign)
            .WithName("CloseYear").WithTags("Years").WithSummary("Close the year: freeze its LKjIP table under a content hash");
    }

    public static IServiceCollection AddClosingYearValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<CloseBody, CloseBodyValidator>("year");

    public static PerformanceTable Table(PerformanceYearState year, CloseYearContext context) =>
        PerformanceTable.Build(
            context.Year.Renstra ?? RenstraState.Initial, year, context.Previous,
            context.Agency.ScaleFor(year.Year), context.Agency.ScaleFor(year.Year - 1), CapaianPolicy.Default,
            context.PreviousRenstra);

    /// <summary>
    /// Canonical JSON: the service's JSON dialect (camelCase, properties in declaration order, no indentation, decimals
    /// with their exact stored digits), UTF-8; the hash is SHA-256 in lowercase hex.
    /// </summary>
    public static string SnapshotHash(PerformanceTable table) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(table, DomainCommands.Json)));

    public sealed class CloseBodyValidator : AbstractValidator<CloseBody>
    {
        public CloseBodyValidator()
        {
            RuleFor(b => b.Note).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }
}
