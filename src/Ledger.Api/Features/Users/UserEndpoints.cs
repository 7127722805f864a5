using FluentValidation;
using Ledger.Api.Commands;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Agencies;
using Ledger.Domain.Users;
using Ledger.Storage;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Api.Features.Users;

// POST /api/users              (admin) { name, nip?, role: staff|approver|inspektorat|admin, agency? }  →  201 { id, token, … }
// POST /api/users/{id}/revoke  (admin) { reason } → 200; the token answers 401 from the next request on. Revoking a revoked
//                                                  token writes nothing (200 with no event ids).
// POST /api/users/{id}/token (admin) { reason } → 200 { id, token, streamId, version, eventIds }: a new token for an
//                                                  existing, unrevoked user (user.token-issued.v1); the old token answers 401
//                                                  from the next request on. Not idempotent: every call issues another token
//                                                  (it is never stored in the deduplicated responses).
// The token is returned once and stored only as its SHA-256 hash: never in the deduplicated responses either. So this
// endpoint honours Idempotency-Key itself, from the log: the key is recorded on the UserCreated event (as on every event);
// a retry by the same admin with the same key and the same body creates nobody and answers 201 with the user the first
// request created and "token": null (it was shown once); the same key with another body is 422 idempotency.key-reused.
public static class UserEndpoints
{
    public sealed record CreateUserBody(string? Name, string? Nip, string? Role, string? Agency, string? Reason = null);

    public sealed record RevokeBody(string? Reason);

    public sealed record IssueTokenBody(string? Reason);

    /// <summary>A new token for an existing user (shown once) and the write that recorded its hash.</summary>
    public sealed record IssuedToken(Guid Id, string Token, string StreamId, long Version, IReadOnlyList<Guid> EventIds);

    /// <summary>The answer to a creation: the user, its token (null on an idempotent replay), and the write (api.md).</summary>
    public sealed record CreatedUser(
        Guid Id, string? Token, string Name, string Role, string? Agency, string StreamId, long Version, IReadOnlyList<Guid> EventIds,
        bool Replayed);

    public const string KeyReusedRule = CommandMiddleware.KeyReusedRule;

    private static readonly CommandHandler<RevokeUserToken, UserDirectoryState> RevokeHandler = new()
    {
        Stream = _ => UserDirectory.StreamName,
        Initial = UserDirectoryState.Initial,
        Decide = (s, c) => DomainCommands.ToPipeline(UserDirectory.Decide(s, c)),
    };

    private static readonly CommandHandler<IssueUserToken, UserDirectoryState> IssueHandler = new()
    {
        Stream = _ => UserDirectory.StreamName,
        Initial = UserDirectoryState.Initial,
        Decide = (s, c) => DomainCommands.ToPipeline(UserDirectory.Decide(s, c)),
    };

    private static readonly CommandHandler<CreateUser, UserDirectoryState> CreateHandler = new()
    {
        Stream = _ => UserDirectory.StreamName,
        Initial = UserDirectoryState.Initial,
        Decide = (s, c) => DomainCommands.ToPipeline(UserDirectory.Decide(s, c)),
    };

    [WolverinePost("/api/users"), CommandBody(typeof(CreateUserBody)), RoleAccess(Roles.Admin)]
    [EndpointName("CreateUser"), Tags("Users"), EndpointSummary("Create a user and show its bearer token once")]
    public static async Task<CreatedUser> CreateUserEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run, StreamLoader streams)
    {
        var ct = httpContext.RequestAborted;
        var body = await CommandBody.ReadAsync<CreateUserBody>(httpContext, ct);
        await run.ValidateAsync(body, ct);
        var caller = httpContext.User();
        var request = CommandRequest.Of(httpContext);

        if (request.IdempotencyKey is { } key && await FirstCreatedWithAsync(streams, key, caller.Id, ct) is { } first)
        {
            var (created, e) = first;
            if (created.Name != body.Name!.Trim() || created.Nip != body.Nip || created.Role != body.Role || created.Agency != body.Agency)
                throw new CommandFailedException(new CommandFailure.Refused(KeyReusedRule,
                    $"Idempotency-Key '{key}' was first used for a different request. Use a new key for a new request.", null));
            httpContext.Response.StatusCode = StatusCodes.Status201Created;
            httpContext.Response.Headers.ETag = CommandRunner.ETag(e.Version);
            httpContext.Response.Headers[CommandMiddleware.ReplayedHeader] = "true";
            return new CreatedUser(created.Id, null, created.Name, created.Role, created.Agency, UserDirectory.StreamName, e.Version, [e.Id], true);
        }

        DomainCommands.RecordReason(httpContext, body.Reason);
        var agencyExists = await Agencies.AgencyRecord.ExistsAsync(streams, body.Agency, null, ct);
        var token = TokenAuthenticator.NewToken();
        var command = new CreateUser(Guid.NewGuid(), body.Name!, body.Nip, body.Role!, body.Agency, TokenAuthenticator.Hash(token), agencyExists);
        var metadata = run.MetadataFor(httpContext, agency: null);
        metadata.ApplyTo(session);
        var appended = await run.DecideAndAppendAsync(CreateHandler, command, session, metadata, request.IfMatch, httpContext, ct);
        httpContext.Response.StatusCode = StatusCodes.Status201Created;
        httpContext.Response.Headers.ETag = CommandRunner.ETag(appended.Version);
        return new CreatedUser(command.Id, token, command.Name.Trim(), command.Role, command.Agency, appended.Stream, appended.Version, appended.EventIds, false);
    }

    [WolverinePost("/api/users/{id:guid}/revoke"), IdempotencyKey, CommandBody(typeof(RevokeBody)), RoleAccess(Roles.Admin)]
    [EndpointName("RevokeUserToken"), Tags("Users"), EndpointSummary("Revoke a user's bearer token, with a reason")]
    public static Task<CommandAccepted> RevokeUserTokenEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, RevokeHandler, (HttpContext http, RevokeBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new RevokeUserToken(RouteValues.Guid(http, "id"), body.Reason?.Trim() ?? "");
        });

    [WolverinePost("/api/users/{id:guid}/token"), CommandBody(typeof(IssueTokenBody)), RoleAccess(Roles.Admin)]
    [EndpointName("IssueUserToken"), Tags("Users"), EndpointSummary("Issue a new bearer token for an existing user (shown once; the old one stops working)")]
    public static async Task<IssuedToken> IssueUserTokenEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run)
    {
        var ct = httpContext.RequestAborted;
        var body = await CommandBody.ReadAsync<IssueTokenBody>(httpContext, ct);
        await run.ValidateAsync(body, ct);
        DomainCommands.RecordReason(httpContext, body.Reason);
        var token = TokenAuthenticator.NewToken();
        var command = new IssueUserToken(RouteValues.Guid(httpContext, "id"), TokenAuthenticator.Hash(token), body.Reason ?? "");
        var metadata = run.MetadataFor(httpContext, agency: null);
        metadata.ApplyTo(session);
        var appended = await run.DecideAndAppendAsync(IssueHandler, command, session, metadata, CommandRequest.Of(httpContext).IfMatch, httpContext, ct);
        httpContext.Response.Headers.ETag = CommandRunner.ETag(appended.Version);
        return new IssuedToken(command.Id, token, appended.Stream, appended.Version, appended.EventIds);
    }

    /// <summary>The user this admin created with this Idempotency-Key, if any (the key and the actor are on the event).</summary>
    private static async Task<(UserCreated Created, JasperFx.Events.IEvent Event)?> FirstCreatedWithAsync(
        StreamLoader streams, string key, Guid caller, CancellationToken ct)
    {
        foreach (var e in await streams.ReadAsync(UserDirectory.StreamName, StreamBound.Whole, ct))
        {
            if (e.Data is not UserCreated created || EventHeaderValues.Text(e, EventHeaders.IdempotencyKey) != key) continue;
            if (EventHeaderValues.Json(e, EventHeaders.Actor) is { } actor && actor.TryGetProperty("id", out var id) && id.GetString() == caller.ToString())
                return (created, e);
        }
        return null;
    }

    public static IServiceCollection AddUserValidators(this IServiceCollection services) => services
        .AddSingleton<IValidator<CreateUserBody>, CreateUserBodyValidator>()
        .AddSingleton<IValidator<RevokeUserToken>, RevokeValidator>()
        .AddSingleton<IValidator<IssueTokenBody>, IssueTokenValidator>();

    /// <summary>Shape: a name (at most 200 characters), a role, an NIP of 18 digits (spaces allowed, as printed), an agency code.</summary>
    public sealed class CreateUserBodyValidator : AbstractValidator<CreateUserBody>
    {
        public CreateUserBodyValidator()
        {
            RuleFor(b => b.Name).Required().Must(n => n is null || !string.IsNullOrWhiteSpace(n)).WithMessage("'name' cannot be blank.")
                .MaximumLength(200);
            RuleFor(b => b.Role).Required().MaximumLength(50);
            RuleFor(b => b.Nip).Must(n => n is null || (n.Length <= 30 && n.Replace(" ", "") is { Length: 18 } digits && digits.All(char.IsAsciiDigit)))
                .WithMessage("A NIP is 18 digits (spaces allowed).");
            RuleFor(b => b.Agency).MaximumLength(BodyRules.CodeLength);
        }
    }

    public sealed class IssueTokenValidator : AbstractValidator<IssueTokenBody>
    {
        public IssueTokenValidator() => RuleFor(c => c.Reason).NotEmpty().WithMessage("'reason' is required.").MaximumLength(BodyRules.TextLength);
    }

    public sealed class RevokeValidator : AbstractValidator<RevokeUserToken>
    {
        public RevokeValidator() => RuleFor(c => c.Reason).NotEmpty().WithMessage("'reason' is required.").MaximumLength(BodyRules.TextLength);
    }
}
