using System.Net;
using System.Text;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Api;

/// <summary>
/// What a careless or hostile client sends: each is refused with a problem+json that says what is wrong
/// (the field in <c>errors</c>, or a <c>detail</c>), and nothing is written.
/// </summary>
public sealed class BadInputTests(PortalApp app) : IClassFixture<PortalApp>
{
    /// <summary>A request body; <see cref="Field"/> is the field <c>errors</c> must name, else <see cref="Detail"/> is in <c>detail</c>.</summary>
    public sealed record Case(string Method, string Path, byte[] Body, HttpStatusCode Status, string? Field, string? Detail, string MediaType = "application/json")
    {
        public Case(string method, string path, string json, HttpStatusCode status, string? field, string? detail)
            : this(method, path, Encoding.UTF8.GetBytes(json), status, field, detail) { }
    }

    private const string Invite = "/api/v1/operators";
    private const string Tokens = "/api/v1/tokens";
    private const string ChangeRole = "/api/v1/operators/{target}/role";

    private static readonly string LongEmail = new string('a', 288) + "@example.test";
    private static readonly byte[] NotUtf8 = [0xff, 0xfe, 0x7b, 0x00, 0x22, 0x00, 0xc3, 0x28, 0x80, 0x81];
    private static readonly string OverLimit = $$"""{"name":"big","role":"Admin","pad":"{{new string('x', 70 * 1024)}}"}""";

    public static TheoryData<string, Case> Cases => new()
    {
        { "malformed JSON", new("POST", Invite, """{"email": "x@example.test", """, HttpStatusCode.BadRequest, null, "not valid JSON") },
        { "a JSON array instead of an object", new("POST", Tokens, """["a","Admin"]""", HttpStatusCode.BadRequest, null, "not valid JSON") },
        { "a body that is not UTF-8", new("POST", Tokens, NotUtf8, HttpStatusCode.BadRequest, null, "not valid JSON", "application/json") },
        { "a body that is not UTF-8 for a role change", new("PUT", ChangeRole, NotUtf8, HttpStatusCode.BadRequest, null, "not valid JSON", "application/json") },
        { "an empty body", new("POST", Invite, "", HttpStatusCode.BadRequest, null, "The request body is empty") },
        { "a body over 64 KiB", new("POST", Tokens, OverLimit, HttpStatusCode.RequestEntityTooLarge, null, "larger than this endpoint accepts") },
        { "a 300-character email", new("POST", Invite, $$"""{"email":"{{LongEmail}}","role":"Helpdesk"}""", HttpStatusCode.BadRequest, "email", null) },
        { "an email with a display name", new("POST", Invite, """{"email":"Eve <eve@example.test>","role":"Helpdesk"}""", HttpStatusCode.BadRequest, "email", null) },
        { "an email with a newline", new("POST", Invite, """{"email":"eve@example.test\nBcc: x@y.z","role":"Helpdesk"}""", HttpStatusCode.BadRequest, "email", null) },
        { "a display name of 101 characters", new("POST", Invite, $$"""{"email":"ok@example.test","displayName":"{{new string('n', 101)}}","role":"Helpdesk"}""", HttpStatusCode.BadRequest, "displayName", null) },
        { "an unknown role in an invitation", new("POST", Invite, """{"email":"ok@example.test","role":"Root"}""", HttpStatusCode.BadRequest, "role", null) },
        { "no role in an invitation", new("POST", Invite, """{"email":"ok@example.test"}""", HttpStatusCode.BadRequest, "role", null) },
        { "a token name of 65 characters", new("POST", Tokens, $$"""{"name":"{{new string('t', 65)}}","role":"Admin"}""", HttpStatusCode.BadRequest, "name", null) },
        { "a token name with a slash", new("POST", Tokens, """{"name":"../etc","role":"Admin"}""", HttpStatusCode.BadRequest, "name", null) },
        { "an unknown role for a token", new("POST", Tokens, """{"name":"fine","role":"Superuser"}""", HttpStatusCode.BadRequest, "role", null) },
        { "a role of the wrong JSON type", new("POST", Tokens, """{"name":"fine","role":7}""", HttpStatusCode.BadRequest, null, "not valid JSON") },
        { "an unknown role in a role change", new("PUT", ChangeRole, """{"role":"God"}""", HttpStatusCode.BadRequest, "role", null) },
        { "a role change without a role", new("PUT", ChangeRole, """{}""", HttpStatusCode.BadRequest, "role", null) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_with_a_clear_problem_and_writes_nothing(string what, Case c)
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var target = await app.CreateOperatorAsync(Roles.Helpdesk);
        var before = await app.RowCountsAsync();

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(c.Method), c.Path.Replace("{target}", target.Id))
        {
            Content = SecurityClients.Raw(c.Body, c.MediaType),
        });

        var problem = await response.AssertProblemAsync(c.Status);
        if (c.Field is not null)
        {
            var messages = problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(c.Field, out var named) ? named : default;
            Assert.True(messages.ValueKind == System.Text.Json.JsonValueKind.Array, $"{what}: no errors.{c.Field} in {problem}");
            Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()), what);
        }
        else
        {
            Assert.Contains(c.Detail!, problem.GetProperty("detail").GetString() ?? "", StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_refused_before_the_endpoint_runs()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var before = await app.RowCountsAsync();
        var bytes = Encoding.UTF8.GetBytes(OverLimit);
        var chunked = new StreamContent(new NoLengthStream(bytes));
        chunked.Headers.ContentType = new("application/json");

        var response = await admin.PostAsync(Tokens, chunked);

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await app.RowCountsAsync());
    }

    /// <summary>A body whose length the client cannot know in advance, so it is sent chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task A_body_of_the_wrong_media_type_is_refused_as_unsupported()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var before = await app.RowCountsAsync();

        var response = await admin.PostAsync(Tokens, SecurityClients.Raw("""{"name":"plain","role":"Admin"}"""u8.ToArray(), "text/plain"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task The_problem_does_not_echo_more_than_a_short_prefix_of_what_was_sent()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var junk = new string('j', 5000) + "@example.test";

        var response = await admin.PostAsync(Invite, SecurityClients.Json($$"""{"email":"{{junk}}","role":"Helpdesk"}"""));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.Length < 2000, $"{body.Length} characters of problem");
    }
}
