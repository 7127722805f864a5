using System.Net;
using System.Text.Json;
using Ledger.Testing.Http;

namespace Ledger.Testing.Tests.Http;

public sealed class ScenarioTests(MiniAppFixture fixture) : IClassFixture<MiniAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Get_with_expectations_passes_and_exposes_the_response()
    {
        var result = await _client.Scenario(s =>
        {
            s.Get.Url("/items/abc");
            s.StatusCodeShouldBe(200);
            s.Header("ETag").ShouldBe("\"3\"");
            s.ContentTypeShouldBe("application/json");
            s.JsonShouldHave("code", "abc");
            s.JsonShouldHave("tags[1]", "b");
            s.JsonShouldHave("$.tags", new[] { "a", "b" });
        });

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal("\"3\"", result.Header("etag"));
        Assert.Equal("abc", result.ReadAsJson<MiniApp.Item>().Code);
        Assert.Equal("a", result.JsonAt("$.tags[0]").GetString());
        Assert.Equal(JsonValueKind.Object, result.Json.ValueKind);
        Assert.Contains("\"code\":\"abc\"", result.Text);
        Assert.True(result.Headers.ContainsKey("content-type"));
    }

    [Fact]
    public async Task Decimals_are_compared_numerically_and_exactly()
    {
        await _client.Scenario(s =>
        {
            s.Get.Url("/items/abc");
            s.JsonShouldHave("amount", 1.5m);   // body says 1.50
            s.JsonShouldHave("amount", 1.50);
        });

        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s =>
        {
            s.Get.Url("/items/abc");
            s.JsonShouldHave("amount", 1.500001m);
        }));
        Assert.Contains("Expected JSON at 'amount' to be 1.500001, but was 1.50", e.Message);
    }

    [Fact]
    public async Task Status_mismatch_reports_method_url_statuses_headers_and_pretty_body()
    {
        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s =>
        {
            s.Post.Json(new { code = "", amount = 2m }).ToUrl("/items");
            s.StatusCodeShouldBe(201);
        }));

        Assert.Contains("POST /items", e.Message);
        Assert.Contains("Expected status code 201 (Created), but was 400 (BadRequest)", e.Message);
        Assert.Contains("Content-Type: application/problem+json", e.Message);
        Assert.Contains("Code is required.", e.Message);
        Assert.Contains("\n      \"code\": [", e.Message); // indented body, not one long line
        Assert.Contains("Request body:", e.Message);
        Assert.Contains("{\"code\":\"\",\"amount\":2}", e.Message);
    }

    [Fact]
    public async Task All_failed_expectations_are_reported_together()
    {
        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s =>
        {
            s.Get.Url("/items/abc");
            s.Header("ETag").ShouldBe("\"4\"");
            s.Header("X-Missing").ShouldHaveValues();
            s.Header("ETag").ShouldNotBeWritten();
            s.ContentTypeShouldBe("text/plain");
            s.JsonShouldHave("tags[5]", "x");
            s.JsonShouldHave("nope", 1);
            s.JsonShouldNotHave("code");
        }));

        Assert.Contains("failed 7 expectations", e.Message);
        Assert.Contains("Expected header 'ETag' to be '\"4\"', but it was '\"3\"'", e.Message);
        Assert.Contains("Expected header 'X-Missing' to be present, but it was not written", e.Message);
        Assert.Contains("Expected header 'ETag' not to be written", e.Message);
        Assert.Contains("Expected Content-Type 'text/plain', but was 'application/json; charset=utf-8'", e.Message);
        Assert.Contains("index [5] is out of range at $.tags (array length 2)", e.Message);
        Assert.Contains("property 'nope' not found at $ (properties: code, amount, tags)", e.Message);
        Assert.Contains("Expected no JSON at 'code', but found \"abc\"", e.Message);
        Assert.DoesNotContain("Expected status code", e.Message);
    }

    [Fact]
    public async Task Default_expectation_is_200()
    {
        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s => s.Put.Url("/items/abc")));
        Assert.Contains("Expected status code 200 (OK) (the default", e.Message);
        Assert.Contains("but was 412", e.Message);

        var ignored = await _client.Scenario(s =>
        {
            s.Put.Url("/items/abc");
            s.IgnoreStatusCode();
        });
        Assert.Equal(412, ignored.Status);
    }

    [Fact]
    public async Task Post_json_created_with_location_and_body()
    {
        var result = await _client.Scenario(s =>
        {
            s.Post.Json(new MiniApp.CreateItem("x1", 10.25m)).ToUrl("/items");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
            s.Header("Location").ShouldBe("/items/x1");
            s.JsonShouldHave("amount", 10.25m);
            s.JsonShouldHave("tags", Array.Empty<string>());
        });
        Assert.Equal(10.25m, result.JsonAt("amount").GetDecimal());
    }

    [Fact]
    public async Task Validation_problem_paths_and_content_type()
    {
        var result = await _client.Scenario(s =>
        {
            s.Post.Json(new { code = " " }).ToUrl("/items");
            s.StatusCodeShouldBe(400);
            s.ContentTypeShouldBe("application/problem+json");
            s.JsonShouldHave("errors.code[0]", "Code is required.");
            s.JsonShouldHave("$.errors[\"code\"][0]", "Code is required.");
            s.JsonShouldHave("status", 400);
        });
        Assert.Equal("Code is required.", result.JsonAt("errors.code[0]").GetString());
        Assert.True(result.TryJsonAt("title", out _));
        Assert.False(result.TryJsonAt("errors.other", out _));
    }

    [Fact]
    public async Task Raw_malformed_json_is_sent_verbatim()
    {
        var result = await _client.Scenario(s =>
        {
            s.Post.Text("{bad json", "application/json").ToUrl("/raw");
            s.StatusCodeShouldBe(400);
            s.JsonShouldHave("detail", "{bad json");
        });
        Assert.Equal("Malformed JSON", result.JsonAt("title").GetString());

        await _client.Scenario(s =>
        {
            s.Post.Text("{\"ok\":true}", "application/json").ToUrl("/raw");
            s.JsonShouldHave("contentType", "application/json");
        });
    }

    [Fact]
    public async Task Malformed_json_to_a_typed_endpoint_is_a_400()
    {
        await _client.Scenario(s =>
        {
            s.Post.Text("{\"code\": ", "application/json").ToUrl("/items");
            s.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task Bytes_are_sent_with_their_content_type()
    {
        await _client.Scenario(s =>
        {
            s.Post.Bytes([1, 2, 3, 0, 255], "application/pdf").ToUrl("/bytes");
            s.JsonShouldHave("length", 5);
            s.JsonShouldHave("contentType", "application/pdf");
        });
    }

    [Fact]
    public async Task Headers_and_bearer_are_sent()
    {
        await _client.Scenario(s =>
        {
            s.Put.Url("/items/abc");
            s.WithHeader("If-Match", "\"3\"");
            s.StatusCodeShouldBe(204);
        });

        await _client.Scenario(s =>
        {
            s.Delete.Url("/items/abc");
            s.WithBearer("wrong");
            s.WithBearer("s3cret"); // replaces the earlier one
            s.StatusCodeShouldBe(HttpStatusCode.NoContent);
        });

        await _client.Scenario(s =>
        {
            s.Delete.Url("/items/abc");
            s.StatusCodeShouldBe(401);
        });
    }

    [Fact]
    public async Task Text_bodies_and_content_checks()
    {
        var result = await _client.Scenario(s =>
        {
            s.Get.Url("/text");
            s.ContentTypeShouldBe("text/plain");
            s.ContentTypeShouldBe("text/plain; charset=utf-8");
            s.ContentShouldContain("plain");
            s.ContentShouldNotContain("json");
            s.ContentShouldBe("hello, plain world");
            s.Expect("a short body", r => r.Text.Length < 100);
        });
        Assert.Equal("hello, plain world", result.ReadAsText());

        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s =>
        {
            s.Get.Url("/text");
            s.JsonShouldHave("a", 1);
        }));
        Assert.Contains("the body is not JSON", e.Message);
        Assert.Contains("hello, plain world", e.Message);

        var notJson = Assert.Throws<ScenarioAssertionException>(() => result.Json);
        Assert.Contains("GET /text", notJson.Message);
    }

    [Fact]
    public async Task A_server_exception_is_reported_with_method_and_url()
    {
        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => _client.Scenario(s => s.Get.Url("/boom")));
        Assert.Contains("GET /boom failed before a response was received", e.Message);
        Assert.Contains("kaboom", e.Message);
    }

    [Fact]
    public async Task A_scenario_without_url_is_a_usage_error()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _client.Scenario(s => s.StatusCodeShouldBe(200)));
    }

    [Fact]
    public async Task Host_before_each_applies_defaults()
    {
        await using var host = ScenarioHost.For(_client).BeforeEach(s => s.WithBearer("s3cret"));
        await host.Scenario(s =>
        {
            s.Delete.Url("/items/abc");
            s.StatusCodeShouldBe(204);
        });
    }

    [Fact]
    public async Task Custom_json_options_are_used_for_requests_and_reads()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = null, PropertyNameCaseInsensitive = true };
        await using var host = ScenarioHost.For(_client, options);
        var result = await host.Scenario(s =>
        {
            s.Post.Json(new MiniApp.CreateItem("P", 1m)).ToUrl("/items"); // PascalCase on the wire; the app binds case-insensitively
            s.StatusCodeShouldBe(201);
        });
        Assert.Equal("P", result.ReadAsJson<MiniApp.Item>().Code);
    }
}
