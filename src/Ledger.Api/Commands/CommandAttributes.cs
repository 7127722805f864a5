using Wolverine.Http;

namespace Ledger.Api.Commands;

/// <summary>
/// Every write honours <c>Idempotency-Key</c> (api.md) through Wolverine's deduplicated responses: the key is scoped to
/// the caller (their user id: <c>ClaimsPrincipal.Identity.Name</c>, set by the bearer token middleware), optional, and
/// claimed inside the same transaction as the events, so a crash between the commit and the answer cannot make a retry
/// write twice; the retry gets the first answer (status and body; <see cref="CommandMiddleware"/> restores its ETag). A
/// key reused for another request is 422 (<see cref="CommandMiddleware.KeyReusedRule"/>). Concurrent requests with one key
/// all run; the first to commit wins and the others are answered with its answer. Refusals (4xx) are not stored:
/// a retry of a refused command is decided again.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotencyKeyAttribute : DeduplicatedWithResponseAttribute
{
    public IdempotencyKeyAttribute() : base(DeduplicationScope.User)
    {
        ClaimInTransaction = true;
        Required = false;
    }
}

/// <summary>The JSON body a command endpoint reads itself (<see cref="CommandBody"/>), for the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CommandBodyAttribute(Type bodyType) : Attribute
{
    public Type BodyType { get; } = bodyType;
}
