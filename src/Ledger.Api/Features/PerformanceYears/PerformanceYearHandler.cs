using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.PerformanceYears;

namespace Ledger.Api.Features.PerformanceYears;

/// <summary>
/// The command handler of stream year-{agency}-{year} for one body type. Every body maps (once valid) to a domain
/// <see cref="PerformanceYearCommand"/>; the context (agency exists, Renstra covering the year) comes from
/// <see cref="Contexts"/>.
/// </summary>
public static class PerformanceYearHandler
{
    public static CommandHandler<Addressed<TBody>, PerformanceYearState, PerformanceYearContext> For<TBody>(
        Func<TBody, PerformanceYearCommand> toDomain) => ForAddressed<TBody>(a => toDomain(a.Command));

    /// <summary>As <see cref="For{TBody}"/>, for commands that also need the route (a proposal id) or the caller's role.</summary>
    public static CommandHandler<Addressed<TBody>, PerformanceYearState, PerformanceYearContext> ForAddressed<TBody>(
        Func<Addressed<TBody>, PerformanceYearCommand> toDomain) => new()
    {
        Stream = c => PerformanceYear.StreamName(c.Agency, c.Key),
        Tenant = c => c.Agency,
        // The pipeline's Initial is one value for every stream; the agency and year are put in before deciding
        // (the domain's Evolve never reads them, its decisions do: RenstraCovering(state.Year), messages).
        Initial = PerformanceYearState.Initial("", 0),
        // The year stream itself, the agency and the Renstra plans that could cover the year: one query for the fold and
        // the context (Contexts.ForYearAsync asks the same set).
        Heads = (c, reader) => reader.HeadStreams(c.Agency, [c.Key]),
        LoadContext = (c, reader, ct) => Contexts.ForYearAsync(reader, c.Agency, c.Key, ct),
        Decide = (state, c, context) => DomainCommands.ToPipeline(
            PerformanceYear.Decide(Addressed(state, c), toDomain(c), context)),
    };

    public static PerformanceYearState Addressed<TBody>(PerformanceYearState state, Addressed<TBody> c) =>
        state with { AgencyCode = c.Agency, Year = c.Key };

    /// <summary>The mapper of a route with <c>{year}</c>: agency and year from the route, the reason (if any) onto the events.</summary>
    public static Func<HttpContext, TBody, Addressed<TBody>> FromRoute<TBody>(Func<TBody, string?> reason) => (http, body) =>
    {
        DomainCommands.RecordReason(http, reason(body));
        return new Addressed<TBody>(RouteValues.Agency(http), RouteValues.Int(http, "year"), body);
    };
}
