using System.Net;
using System.Text;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Bug 2 (found by the fuzz test): POST /api/users read its body with ReadFromJsonAsync, which throws on a
/// Content-Type other than JSON, so the answer was 500. It now reads the body as JSON like the command pipeline:
/// a valid body is accepted whatever the Content-Type, a malformed one is 400.
/// </summary>
public sealed class Bug_2_UserBodyWithNonJsonContentType(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData("text/plain", """{ "name": "Sri Wahyuni", "role": "inspektorat" }""", HttpStatusCode.Created)]
    [InlineData("garbage", """{ "name": "Sri Wahyuni", "role": "inspektorat" }""", HttpStatusCode.Created)]
    [InlineData("multipart/form-data; boundary=x", "not json at all", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "", HttpStatusCode.BadRequest)]
    public async Task Bug_2_CreateUser_WithAnyContentType_IsNever500(string contentType, string body, HttpStatusCode expected)
    {
        using var client = f.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Bug_2_RevokeToken_WithANonJsonContentType_Is400NotA500()
    {
        using var client = f.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{Guid.NewGuid()}/revoke") { Content = new StringContent("<reason/>", Encoding.UTF8, "application/xml") };
        request.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
