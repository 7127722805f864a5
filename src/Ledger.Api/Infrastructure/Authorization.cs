using Ledger.Domain.Users;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Who may do what, as endpoint filters. One table (the role matrix is documented in docs/security.md):
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
        builder.AddEndpointFilter(async (ctx, next) =>
            roles.Contains(ctx.HttpContext.User().Role) ? await next(ctx) : Forbidden($"This needs the role {string.Join(" or ", roles)}."));

    /// <summary>The route's <c>{agency}</c> must be the caller's own, unless the caller's role reaches every agency for this access.</summary>
    public static TBuilder RequireAgency<TBuilder>(this TBuilder builder, Access access) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var user = ctx.HttpContext.User();
            var agency = ctx.HttpContext.Request.RouteValues["agency"] as string;
            return Allowed(user, agency, access) is { } reason ? Forbidden(reason) : await next(ctx);
        });

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

    private static IResult Forbidden(string detail) => Results.Problem(statusCode: 403, title: "Forbidden.", detail: detail);
}
