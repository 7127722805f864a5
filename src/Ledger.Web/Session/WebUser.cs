using System.Security.Claims;
using Ledger.Web.Api;

namespace Ledger.Web.Session;

/// <summary>The signed-in person, as the session cookie carries them (the token stays inside the encrypted cookie).</summary>
public sealed record WebUser(Guid Id, string Name, string? Nip, string Role, string? Agency, string Token)
{
    private const string TokenClaim = "ledger:token";
    private const string AgencyClaim = "ledger:agency";
    private const string NipClaim = "ledger:nip";

    public bool IsAdmin => Role == "admin";
    public bool IsInspektorat => Role == "inspektorat";
    public bool IsApprover => Role == "approver";
    public bool IsStaff => Role == "staff";

    /// <summary>May record realizations and corrections for <paramref name="agency"/> (the API decides; this only hides forms).</summary>
    public bool MayWrite(string agency) => IsAdmin || ((IsStaff || IsApprover) && Agency == agency);

    /// <summary>May sign (PK perubahan, approvals) and close the year of <paramref name="agency"/>.</summary>
    public bool MaySign(string agency) => IsApprover && Agency == agency;

    /// <summary>May propose a PK perubahan (staff) or sign one (approver).</summary>
    public bool MayPropose(string agency) => (IsStaff || IsApprover) && Agency == agency;

    public static WebUser FromApi(Me me, string token) => new(me.Id, me.Name, me.Nip, me.Role, me.Agency, token);

    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, Id.ToString()),
        new Claim(ClaimTypes.Name, Name),
        new Claim(ClaimTypes.Role, Role),
        new Claim(NipClaim, Nip ?? ""),
        new Claim(AgencyClaim, Agency ?? ""),
        new Claim(TokenClaim, Token),
    ], WebRegistration.Scheme));

    public static WebUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity is not { IsAuthenticated: true, AuthenticationType: WebRegistration.Scheme }) return null;
        string? Get(string type) => principal.FindFirst(type)?.Value;
        if (!Guid.TryParse(Get(ClaimTypes.NameIdentifier), out var id) || Get(TokenClaim) is not { Length: > 0 } token) return null;
        return new WebUser(id, Get(ClaimTypes.Name) ?? "", Get(NipClaim) is { Length: > 0 } nip ? nip : null, Get(ClaimTypes.Role) ?? "",
            Get(AgencyClaim) is { Length: > 0 } agency ? agency : null, token);
    }
}
