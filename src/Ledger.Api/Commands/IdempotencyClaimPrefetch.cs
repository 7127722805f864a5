using Ledger.Api.Infrastructure;
using Marten;
using Marten.Linq.QueryHandlers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wolverine.Http;
using Wolverine.Http.Runtime;
using Wolverine.Marten;
using Wolverine.Persistence.Durability;

namespace Ledger.Api.Commands;

/// <summary>
/// Wolverine's Idempotency-Key lookup answered from the query that authenticates the caller (issue 13, commands' round
/// trips; docs/commands.md step 2). Before a command with <see cref="IdempotencyKeyAttribute"/> runs, Wolverine's
/// generated code asks PostgreSQL whether an earlier request already committed a claim on the key (one round trip of its
/// own, planned anew on every call). The bearer-token middleware now asks the same existence question in its query
/// (<c>StreamLoader.VersionsAndClaimAsync</c>), for the key scoped to the caller the user directory names as this process
/// last loaded it; <see cref="PrefetchedClaimLookup"/> answers Wolverine's lookup "no claim" from it, and asks as before in
/// every other case.
/// <para>
/// Why it changes no answer:
/// <list type="bullet">
/// <item>The storage id is computed by Wolverine's own functions (<c>HttpHandler.ScopeDeduplicationId</c>,
/// <c>DeduplicatedResponses.StorageIdFor</c>) and includes the caller's user id; the kept answer is used only for a lookup
/// of exactly that id. If the authenticated caller is not the one guessed, Wolverine looks up another id and asks itself.</item>
/// <item>Only "no claim" is answered here, once per request; a claim that exists is read by Wolverine (it needs the
/// stored response).</item>
/// <item>A claim committed by a concurrent request after this query is what Wolverine's lookup could miss as well, a few
/// milliseconds later: the claim is inserted in the command's own transaction, so that commit fails on the key and
/// Wolverine answers from the claim that won (<c>CommandRoundTripTests</c> races one).</item>
/// </list>
/// </para>
/// </summary>
public static class IdempotencyClaimPrefetch
{
    /// <summary>The header Wolverine reads the key from (its default for <c>[DeduplicatedWithResponse]</c>).</summary>
    public const string Header = "Idempotency-Key";

    /// <summary>Wolverine's table of deduplicated responses in Ledger's database (its message store's schema).</summary>
    public const string ClaimsTable = CommandRegistration.WolverineSchema + ".wolverine_deduplicated_responses";

    private static readonly AsyncLocal<Asked?> Current = new();

    private sealed class Asked(string storageId, bool exists)
    {
        public string StorageId { get; } = storageId;
        public bool Exists { get; } = exists;
        public int Used;
    }

    /// <summary>
    /// For a request with an Idempotency-Key on an endpoint that takes one: the storage id Wolverine will look up if a
    /// given caller is who the request is authenticated as (<c>TokenAuthenticator.AuthenticateAsync</c> calls it with the
    /// caller it guesses). Null otherwise: nothing to ask.
    /// </summary>
    public static Func<CurrentUser, string?>? For(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<IdempotencyKeyAttribute>() is not { } attribute) return null;
        string? key = http.Request.Headers[Header]; // as Wolverine's generated code reads it (several values joined)
        return string.IsNullOrWhiteSpace(key) ? null : caller => StorageIdOf(http, key, attribute.Scope, caller);
    }

    private static string? StorageIdOf(HttpContext http, string key, DeduplicationScope scope, CurrentUser caller)
    {
        var principal = http.User;
        http.User = caller.ToPrincipal(); // the scope is the principal's name, as the middleware sets it once authenticated
        try
        {
            return HttpHandler.ScopeDeduplicationId(http, key, scope, null) is { } scoped ? DeduplicatedResponses.StorageIdFor(scoped) : null;
        }
        finally
        {
            http.User = principal;
        }
    }

    /// <summary>Keeps the answer for the rest of the request's flow (the async middleware that calls this scopes it).</summary>
    public static void Keep(string storageId, bool exists) => Current.Value = new Asked(storageId, exists);

    /// <summary>True once per request, when the kept answer is "no claim" for exactly <paramref name="storageId"/>.</summary>
    internal static bool KnownAbsent(string? storageId) =>
        Current.Value is { } asked && !asked.Exists && storageId is not null && string.Equals(asked.StorageId, storageId, StringComparison.Ordinal)
        && Interlocked.Exchange(ref asked.Used, 1) == 0;

    /// <summary>Puts <see cref="PrefetchedClaimLookup"/> in front of Wolverine's own lookup (registered by <c>IntegrateWithWolverine</c>).</summary>
    public static void DecorateWolverinesClaimLookup(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IMartenDeduplicatedResponses))
            ?? throw new InvalidOperationException("Wolverine's Marten integration is not registered yet: register the database (IntegrateWithWolverine) before the commands.");
        services.RemoveAll<IMartenDeduplicatedResponses>();
        services.AddSingleton<IMartenDeduplicatedResponses>(sp => new PrefetchedClaimLookup(registered switch
        {
            { ImplementationInstance: IMartenDeduplicatedResponses instance } => instance,
            { ImplementationFactory: { } factory } => (IMartenDeduplicatedResponses)factory(sp),
            { ImplementationType: { } type } => (IMartenDeduplicatedResponses)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException($"Cannot build Wolverine's {nameof(IMartenDeduplicatedResponses)} from its registration."),
        }));
    }
}

/// <summary>Wolverine's claim lookup, answered "no claim" when the caller's token query already said so (<see cref="IdempotencyClaimPrefetch"/>).</summary>
public sealed class PrefetchedClaimLookup(IMartenDeduplicatedResponses wolverine) : IMartenDeduplicatedResponses
{
    public Task<DeduplicatedResponseClaim?> FindClaimAsync(IDocumentSession session, string? deduplicationId, Type? ancillaryStoreMarker, CancellationToken cancellation) =>
        ancillaryStoreMarker is null && IdempotencyClaimPrefetch.KnownAbsent(deduplicationId)
            ? Task.FromResult<DeduplicatedResponseClaim?>(null)
            : wolverine.FindClaimAsync(session, deduplicationId, ancillaryStoreMarker, cancellation);

    public IQueryHandler<DeduplicatedResponseClaim?> ClaimQuery(IDocumentSession session, string? deduplicationId, Type? ancillaryStoreMarker) =>
        wolverine.ClaimQuery(session, deduplicationId, ancillaryStoreMarker);

    public void QueueClaim(IDocumentSession session, PendingDeduplicatedResponseClaim? claim, Type? ancillaryStoreMarker) =>
        wolverine.QueueClaim(session, claim, ancillaryStoreMarker);
}
