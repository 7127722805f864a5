using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Ledger.Testing.Tests.Http;

/// <summary>A tiny minimal-API app, unrelated to Ledger, that the scenario tests talk to in memory.</summary>
public static class MiniApp
{
    public sealed record CreateItem(string? Code, decimal Amount);

    public sealed record Item(string Code, decimal Amount, string[] Tags);

    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapGet("/items/{code}", (string code, HttpContext http) =>
        {
            http.Response.Headers.ETag = "\"3\"";
            return Results.Ok(new Item(code, 1.50m, ["a", "b"]));
        });

        app.MapPost("/items", (CreateItem body) =>
        {
            if (string.IsNullOrWhiteSpace(body.Code))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Code is required."] });
            }
            return Results.Created($"/items/{body.Code}", new Item(body.Code, body.Amount, []));
        });

        app.MapPut("/items/{code}", (string code, HttpContext http) =>
            http.Request.Headers.IfMatch.ToString() == "\"3\"" ? Results.NoContent() : Results.StatusCode(412));

        app.MapDelete("/items/{code}", (string code, HttpContext http) =>
            http.Request.Headers.Authorization.ToString() == "Bearer s3cret" ? Results.NoContent() : Results.Unauthorized());

        // Reads the body itself, so malformed JSON reaches the endpoint and is reported as a problem.
        app.MapPost("/raw", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            try
            {
                using var _ = JsonDocument.Parse(text);
                return Results.Ok(new { received = text.Length, contentType = http.Request.ContentType });
            }
            catch (JsonException)
            {
                return Results.Problem(title: "Malformed JSON", detail: text, statusCode: 400);
            }
        });

        app.MapPost("/bytes", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            return Results.Ok(new { length = buffer.Length, contentType = http.Request.ContentType });
        });

        app.MapGet("/text", () => Results.Text("hello, plain world"));
        app.MapGet("/redirect", () => Results.Redirect("/text"));
        app.MapGet("/boom", string () => throw new InvalidOperationException("kaboom"));
    }

    /// <summary>Starts the app on a TestServer (no sockets).</summary>
    public static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        MapEndpoints(app);
        await app.StartAsync();
        return app;
    }
}

/// <summary>One in-memory app for all scenario tests of a class.</summary>
public sealed class MiniAppFixture : IAsyncLifetime
{
    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await MiniApp.StartAsync();
        Client = App.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
