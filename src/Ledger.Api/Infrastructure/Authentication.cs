using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Domain.Users;
using Ledger.Storage;

namespace Ledger.Api.Infrastructure;

/// <summary>The authenticated caller of an /api request.</summary>
public sealed record CurrentUser(Guid Id, string Name, string? Nip, string Role, string? Agency)
{
    /// <summary>The actor header written on every event of this user's commands (a JSON object; <c>EventHeaders.Actor</c>).</summary>
    public ActorHeader ToActor() => new(Id, Name, Nip, Role, Agency);

    /// <summary>An authenticated principal whose <c>Identity.Name</c> is the user's id (what per-user scopes key on).</summary>
    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, Id.ToString()), new Claim(ClaimTypes.NameIdentifier, Id.ToString()), new Claim(ClaimTypes.Role, Role)],
        authenticationType: "Bearer"));
}

/// <summary>Who wrote an event, as the token said at write time: the <c>actor</c> header, a JSON object.</summary>
public sealed record ActorHeader(Guid Id, string Name, string? Nip, string Role, string? Agency);

/// <summary>
/// Bearer tokens: random, shown once, stored only as a SHA-256 hash in the user directory's events. The directory is
/// cached in memory and reloaded when the <c>users</c> stream's version changes (one indexed lookup per request).
/// <c>Ledger:BootstrapAdminToken</c>, if set, is an admin that exists only in configuration.
/// </summary>
public sealed class TokenAuthenticator(StreamLoader streams, IConfiguration config)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (long Version, Dictionary<string, User> ByHash) _cache = (-1, []);
    private static readonly Guid BootstrapAdminId = new("00000000-0000-0000-0000-00000000ad01");

    public static string NewToken() => "ldg_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

    /// <summary>
    /// The token's user, or null. The user directory's version is asked in one query with <paramref name="alsoAsk"/>'s
    /// current versions (a read's heads, <c>HeadsPrefetch</c>), which come back with the user (null: none were asked, as
    /// for the bootstrap administrator, who needs no query). With <paramref name="claimIdFor"/>, the same query also asks
    /// whether Wolverine holds an Idempotency-Key claim with the storage id it gives for the token's user in the directory
    /// as this process last loaded it (a guess: the user is only known once the query has answered;
    /// <c>IdempotencyClaimPrefetch</c>); <c>Claim</c> is that id and the answer, or null when nothing was asked.
    /// </summary>
    public async Task<(CurrentUser? User, IReadOnlyDictionary<string, long>? Versions, (string Id, bool Exists)? Claim)> AuthenticateAsync(
        string token, IReadOnlyCollection<string>? alsoAsk, Func<CurrentUser, string?>? claimIdFor, CancellationToken ct)
    {
        var hash = Hash(token);
        if (IsBootstrap(hash)) return (new CurrentUser(BootstrapAdminId, "Bootstrap administrator", null, Roles.Admin, null), null, null);

        var claimId = claimIdFor is not null && _cache.ByHash.TryGetValue(hash, out var guess) && !guess.Revoked ? claimIdFor(ToCurrent(guess)) : null;
        IReadOnlyCollection<string> asked = alsoAsk is null ? [UserDirectory.StreamName] : [UserDirectory.StreamName, .. alsoAsk];
        var (versions, claimExists) = claimId is null
            ? (await streams.VersionsAsync(asked, ct), false)
            : await streams.VersionsAndClaimAsync(asked, Commands.IdempotencyClaimPrefetch.ClaimsTable, claimId, ct);
        var users = await UsersAsync(versions.GetValueOrDefault(UserDirectory.StreamName), ct);
        var user = users.TryGetValue(hash, out var u) && !u.Revoked ? ToCurrent(u) : null;
        return (user, alsoAsk is null ? null : versions, claimId is null ? null : (claimId, claimExists));
    }

    private bool IsBootstrap(string tokenHash) =>
        config["Ledger:BootstrapAdminToken"] is { Length: > 0 } bootstrap &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(tokenHash), Encoding.UTF8.GetBytes(Hash(bootstrap)));

    private static CurrentUser ToCurrent(User u) => new(u.Id, u.Name, u.Nip, u.Role, u.Agency);

    /// <summary>The directory at <paramref name="version"/>, the <c>users</c> stream's current version just asked.</summary>
    private async Task<Dictionary<string, User>> UsersAsync(long version, CancellationToken ct)
    {
        if (_cache.Version == version) return _cache.ByHash;
        await _gate.WaitAsync(ct);
        try
        {
            if (_cache.Version == version) return _cache.ByHash;
            var events = await streams.ReadAsync(UserDirectory.StreamName, StreamBound.Whole, ct);
            var state = events.Aggregate(UserDirectoryState.Initial, (s, e) => s.Evolve(DomainCommands.Decode(e)));
            var byHash = state.Users.Values.ToDictionary(u => u.TokenHash, StringComparer.Ordinal);
            _cache = (events.Count == 0 ? 0 : events[^1].Version, byHash);
            return byHash;
        }
        finally
        {
            _gate.Release();
        }
    }
}

public static class AuthenticationMiddleware
{
    private const string UserKey = "ledger.user";

    /// <summary>Every /api request needs <c>Authorization: Bearer &lt;token&gt;</c> (api.md); 401 problem details otherwise.</summary>
    public static void UseBearerTokens(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/api"))
            {
                await next(http);
                return;
            }
            var header = http.Request.Headers.Authorization.ToString();
            const string prefix = "Bearer ";
            CurrentUser? user = null;
            StreamHeads? prefetched = null;
            if (header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length && header.Length < 512)
            {
                // A read whose streams the request names asks their heads in the directory's query (HeadsPrefetch), and so
                // does a command on a year stream (YearHeadsPrefetch: the heads its handler would ask, kept for its first
                // attempt only, never seen by anything else in the request).
                var metadata = http.GetEndpoint()?.Metadata;
                var command = metadata?.GetMetadata<Commands.YearHeadsPrefetchAttribute>();
                var heads = metadata?.GetMetadata<HeadsPrefetch>()?.Streams(http, http.RequestServices.GetRequiredService<ReadLoader>())
                    ?? (command is not null ? await command.StreamsAsync(http, http.RequestServices.GetRequiredService<ReadLoader>()) : null);
                // A command with an Idempotency-Key asks there too whether Wolverine already holds a claim on the key, for
                // the caller the directory as last loaded names (IdempotencyClaimPrefetch: the answer is used only if the
                // request's own key, scoped to the caller who is authenticated, is the one asked).
                (user, var versions, var claim) = await http.RequestServices.GetRequiredService<TokenAuthenticator>()
                    .AuthenticateAsync(header[prefix.Length..].Trim(), heads, Commands.IdempotencyClaimPrefetch.For(http), http.RequestAborted);
                if (heads is not null && versions is not null)
                {
                    if (command is not null) Commands.YearHeadsPrefetchAttribute.Keep(http, new StreamHeads(heads, versions));
                    else prefetched = new StreamHeads(heads, versions);
                }
                if (claim is { } asked) Commands.IdempotencyClaimPrefetch.Keep(asked.Id, asked.Exists);
            }
            if (user is null)
            {
                // Failed tokens count per client IP; over the limit the answer is 429 (docs/security.md). A request
                // without any Authorization header is not a guess and does not count.
                if (header.Length > 0 &&
                    http.RequestServices.GetRequiredService<AuthFailureLimiter>()
                        .Fail(http.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } wait)
                {
                    var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                    http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed authentications.",
                        detail: $"Too many requests with an invalid token from this address; retry after {seconds} s.").ExecuteAsync(http);
                    return;
                }
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Problem(statusCode: 401, title: "Authentication required.",
                    detail: "Send 'Authorization: Bearer <token>' with a valid, unrevoked token.").ExecuteAsync(http);
                return;
            }
            http.Items[UserKey] = user;
            // The caller as the request's principal too: Wolverine scopes Idempotency-Key per user by Identity.Name
            // ([IdempotencyKey], DeduplicationScope.User). Without it every caller shared one scope, and a second user
            // sending the same key and body was answered with the first user's response and nothing was written.
            http.User = user.ToPrincipal();
            // Bug 3: an {agency} longer than any agency code made a stream name over the store's limit (500). No agency
            // has such a code, so the answer is 404, for reads and writes alike, before any endpoint runs.
            if (http.GetRouteValue("agency") is string agency && (agency.Length > BodyRules.CodeLength || string.IsNullOrWhiteSpace(agency)))
            {
                await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.",
                    detail: $"No agency has that code: agency codes are 1 to {BodyRules.CodeLength} characters.").ExecuteAsync(http);
                return;
            }
            if (prefetched is null)
            {
                await next(http);
                return;
            }
            using (ReadLoader.UsePrefetchedHeads(prefetched)) await next(http);
        });
    }

    public static CurrentUser User(this HttpContext http) =>
        http.Items.TryGetValue(UserKey, out var u) && u is CurrentUser user
            ? user
            : throw new InvalidOperationException("No authenticated user: the endpoint is outside /api or the middleware is missing.");
}
