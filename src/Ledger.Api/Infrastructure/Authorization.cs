using Ledger.Domain.Users;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Who may do what: one table (the role matrix is documented in docs/security.md), declared on each endpoint as metadata
/// (<see cref="AgencyAccessAttribute"/>, <see cref="RoleAccessAttribute"/>) and enforced by one middleware for the minimal
/// API reads and the Wolverine command endpoints alike.
/// - admin: manages users and agencies and may set up any agency's plan; never signs.
/// - staff/approver: only their own agency, reads and writes; signing a PK or PK perubahan and closing a year need an approver.
/// - inspektorat: reads every agency; never writes agency data; records evaluations (Access.Evaluate) of any agency.
/// - Propose: a PK perubahan posted by staff is a proposal, by the approver a signed revision; admin does neither.
/// - FollowUp: follow-ups to evaluation recommendations are the agency's own staff or approver.
/// </summary>
public static class Authorization
{
    public enum Access { Read, Write, Sign, Propose, Evaluate, FollowUp }

    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RoleAccessAttribute(roles));

    /// <summary>The route's <c>{agency}</c> must be the caller's own, unless the caller's role reaches every agency for this access.</summary>
    public static TBuilder RequireAgency<TBuilder>(this TBuilder builder, Access access) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AgencyAccessAttribute(access));

    /// <returns>null when allowed, else why not.</returns>
    public static string? Allowed(CurrentUser user, string? agency, Access access) => (user.Role, access) switch
    {
        (Roles.Admin, Access.Sign) => "Signing needs the agency's approver.",
        (Roles.Admin, Access.Propose) => "A PK perubahan is signed by the agency's approver or proposed by its staff.",
        (Roles.Admin, Access.Evaluate) => "Evaluations are recorded by the Inspektorat.",
        (Roles.Admin, Access.FollowUp) => "Follow-ups are recorded by the agency's staff or approver.",
        (Roles.Admin, _) => null,
        (Roles.Inspektorat, Access.Read or Access.Evaluate) => null,
        (Roles.Inspektorat, _) => "The Inspektorat reads agency data and never changes it.",
        (Roles.Staff, Access.Sign) => "Signing needs the agency's approver.",
        (Roles.Staff or Roles.Approver, Access.Evaluate) => "Evaluations are recorded by the Inspektorat.",
        (Roles.Staff or Roles.Approver, _) when user.Agency != agency => "This is another agency's data.",
        (Roles.Staff or Roles.Approver, _) => null,
        _ => "Unknown role.",
    };

    /// <summary>403 problem details for an authenticated caller the endpoint's access metadata does not allow.</summary>
    public static void UseEndpointAccess(this WebApplication app) => app.Use(async (http, next) =>
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null || !http.Request.Path.StartsWithSegments("/api"))
        {
            await next(http);
            return;
        }
        var user = http.User();
        string? refused = null;
        if (endpoint.Metadata.GetMetadata<RoleAccessAttribute>() is { } roles && !roles.Roles.Contains(user.Role))
            refused = $"This needs the role {string.Join(" or ", roles.Roles)}.";
        else if (endpoint.Metadata.GetMetadata<AgencyAccessAttribute>() is { } access)
            refused = Allowed(user, http.Request.RouteValues["agency"] as string, access.Access);
        if (refused is not null)
        {
            await Results.Problem(statusCode: 403, title: "Forbidden.", detail: refused).ExecuteAsync(http);
            return;
        }
        await next(http);
    });
}

/// <summary>The route's agency, for this kind of access (<see cref="Authorization.Allowed"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AgencyAccessAttribute(Authorization.Access access) : Attribute
{
    public Authorization.Access Access { get; } = access;
}

/// <summary>One of these roles, whatever the agency.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RoleAccessAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}
