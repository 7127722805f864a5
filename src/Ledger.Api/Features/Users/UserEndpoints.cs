using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain.Agencies;
using Ledger.Domain.Users;
using Ledger.Storage;
using Marten;

namespace Ledger.Api.Features.Users;

// POST /api/users   (admin)   { name, nip?, role: staff|approver|inspektorat|admin, agency? }  →  201 { id, token, … }
// The token is returned once and stored only as its SHA-256 hash. This endpoint is not replayable by Idempotency-Key:
// a replay would have to keep the plain token.
public static class UserEndpoints
{
    public sealed record CreateUserBody(string? Name, string? Nip, string? Role, string? Agency);

    public sealed record RevokeBody(string? Reason);

    private static readonly CommandHandler<RevokeUserToken, UserDirectoryState> RevokeHandler = new()
    {
        Stream = _ => UserDirectory.StreamName,
        Initial = UserDirectoryState.Initial,
        Decide = (s, c) => DomainCommands.ToPipeline(UserDirectory.Decide(s, c)),
    };

    private static readonly CommandHandler<CreateUser, UserDirectoryState> Handler = new()
    {
        Stream = _ => UserDirectory.StreamName,
        Initial = UserDirectoryState.Initial,
        Decide = (s, c) => DomainCommands.ToPipeline(UserDirectory.Decide(s, c)),
    };

    /// <summary>
    /// The body as JSON whatever its Content-Type says, like the command pipeline (Bug 2: ReadFromJsonAsync threw on a
    /// non-JSON Content-Type and answered 500). Malformed or missing JSON is 400.
    /// </summary>
    private static async Task<(T? Body, IResult? Malformed)> ReadBodyAsync<T>(HttpContext http, CancellationToken ct) where T : class
    {
        try
        {
            return (await System.Text.Json.JsonSerializer.DeserializeAsync<T>(http.Request.Body, DomainCommands.Json, ct), null);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = [$"Malformed JSON: {e.Message}"] }));
        }
    }

    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/users", async (HttpContext http, IDocumentStore store, StreamLoader streams, CommandPipelineOptions options, CancellationToken ct) =>
            {
                var (body, malformed) = await ReadBodyAsync<CreateUserBody>(http, ct);
                if (malformed is not null) return malformed;
                if (body is null || string.IsNullOrWhiteSpace(body.Name) || string.IsNullOrWhiteSpace(body.Role))
                    return Results.ValidationProblem(new Dictionary<string, string[]>
                    {
                        [string.IsNullOrWhiteSpace(body?.Name) ? "name" : "role"] = ["Required."],
                    });
                if (body.Nip is { } nip && (nip.Length > 30 || !nip.Replace(" ", "").All(char.IsAsciiDigit)))
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["nip"] = ["A NIP is 18 digits (spaces allowed)."] });

                var agencyExists = body.Agency is { Length: > 0 } a
                                   && a.Length <= 100
                                   && await streams.VersionAsync(Agency.StreamName(a), ct) > 0;
                var token = TokenAuthenticator.NewToken();
                var command = new CreateUser(Guid.NewGuid(), body.Name, body.Nip, body.Role, body.Agency, TokenAuthenticator.Hash(token), agencyExists);
                var metadata = new CommandMetadata { Actor = http.User().ToActor(), CorrelationId = http.TraceIdentifier };
                var outcome = await CommandExecutor.ExecuteAsync(Handler, command, store, streams, options, metadata, ifMatch: null, ct: ct);
                return outcome switch
                {
                    CommandSucceeded s => Results.Json(new
                    {
                        id = command.Id, token, name = command.Name, role = command.Role, agency = command.Agency,
                        streamId = s.Stream, version = s.Version, eventIds = s.EventIds,
                    }, DomainCommands.Json, statusCode: StatusCodes.Status201Created),
                    CommandFailure f => Results.Problem(FailureTable.ToProblem(f)),
                    _ => throw new InvalidOperationException("Unknown outcome."),
                };
            })
            .RequireRole(Roles.Admin)
            .WithName("CreateUser").WithTags("Users").WithSummary("Create a user and show its bearer token once");

        // POST /api/users/{id}/revoke (admin) { reason } → 200; the token answers 401 from the next request on.
        api.MapPost("/users/{id:guid}/revoke", async (HttpContext http, Guid id, IDocumentStore store, StreamLoader streams, CommandPipelineOptions options, CancellationToken ct) =>
            {
                var (body, malformed) = await ReadBodyAsync<RevokeBody>(http, ct);
                if (malformed is not null) return malformed;
                if (string.IsNullOrWhiteSpace(body?.Reason))
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["Required."] });
                if (body.Reason.Length > BodyRules.TextLength)
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [$"At most {BodyRules.TextLength} characters."] });

                var command = new RevokeUserToken(id, body.Reason.Trim());
                var metadata = new CommandMetadata { Actor = http.User().ToActor(), CorrelationId = http.TraceIdentifier, Reason = command.Reason };
                var outcome = await CommandExecutor.ExecuteAsync(RevokeHandler, command, store, streams, options, metadata, ifMatch: null, ct: ct);
                return outcome switch
                {
                    CommandSucceeded s => Results.Json(new { id, revoked = true, streamId = s.Stream, version = s.Version, eventIds = s.EventIds },
                        DomainCommands.Json),
                    CommandFailure f => Results.Problem(FailureTable.ToProblem(f)),
                    _ => throw new InvalidOperationException("Unknown outcome."),
                };
            })
            .RequireRole(Roles.Admin)
            .WithName("RevokeUserToken").WithTags("Users").WithSummary("Revoke a user's bearer token, with a reason");
    }
}
