using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Bundles;

/// <summary>"Email link" from the helpdesk API: the message reaches a real SMTP server with the one-time link and nothing secret, and the link works.</summary>
public sealed class BundleEmailTests
{
    [Fact]
    public async Task An_emailed_link_arrives_with_the_link_only_is_audited_with_the_serial_and_works()
    {
        await using var sink = await SmtpSink.StartAsync();
        var (app, admin) = await EmailPortal.WithSinkAsync(sink);
        using var _ = app;
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Mail-CA" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "mia", email = "mia@example.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "noah" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-profiles", new { name = "office", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" })).StatusCode);
        var helpdesk = await app.TokenClientAsync(Roles.Helpdesk);

        var noAddress = await helpdesk.PostAsJsonAsync("/api/v1/vpn-users/noah/download-links", new { profile = "office", platform = "ios", email = true });
        Assert.Equal(HttpStatusCode.BadRequest, noAddress.StatusCode);
        Assert.Contains("no email address", await noAddress.Content.ReadAsStringAsync());

        var created = await helpdesk.PostAsJsonAsync("/api/v1/vpn-users/mia/download-links", new { profile = "office", platform = "android", email = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("mia@example.test", link.GetProperty("emailedTo").GetString());
        var url = link.GetProperty("url").GetString()!;

        var mail = await sink.WaitForAsync("mia@example.test", url);
        Assert.Contains("Android", mail.Subject);
        Assert.Contains("works once", mail.TextBody);
        foreach (var secret in (string[])["BEGIN", "PRIVATE", "<key>", "Static key"]) Assert.DoesNotContain(secret, mail.TextBody);

        var serial = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/mia")).GetProperty("certificates")[0].GetProperty("serial").GetString();
        var sent = (await Eventually.Async(() => admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=email.sent&target=vpn-user:mia"),
            a => a.GetProperty("items").GetArrayLength() > 0, "the email.sent audit event")).GetProperty("items")[0];
        Assert.Equal(serial, sent.GetProperty("details").GetProperty("serial").GetString());
        var linkEvent = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=bundle.link.created&target=vpn-user:mia")).GetProperty("items")[0];
        Assert.Equal("mia@example.test", linkEvent.GetProperty("details").GetProperty("emailedTo").GetString());

        var page = await app.CreateClient().GetAsync(new Uri(url).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}
