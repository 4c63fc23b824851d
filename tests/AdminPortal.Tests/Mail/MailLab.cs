using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Mail;

/// <summary>
/// The portal, a private sshd (root login with the lab's key) and a private Dovecot whose passwd-file the portal edits
/// over SSH: the mail host as the portal meets it in production, on loopback.
/// </summary>
public sealed class MailLab : IAsyncLifetime
{
    public SshLab Portal { get; } = new();
    public DovecotServer Dovecot { get; private set; } = null!;
    public string Host { get; private set; } = null!;
    public HttpClient Admin => Portal.Admin;

    public async Task InitializeAsync()
    {
        await Portal.InitializeAsync();
        Dovecot = await DovecotServer.StartAsync();
        var sshd = await Portal.SshdAsync();
        Host = await Portal.AddHostAsync(sshd, user: "root");
        var r = await Admin.PostAsJsonAsync("/api/v1/mail-hosts", new
        {
            host = Host, backend = "dovecot-passwd-file", passwdFile = Dovecot.PasswdFile, homeTemplate = Dovecot.HomeTemplate,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> CreateAsync(object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var r = await Admin.PostAsJsonAsync("/api/v1/mailboxes", body);
        var text = await r.Content.ReadAsStringAsync();
        RecordSecrets(body, text);
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public async Task<JsonElement> PostAsync(string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var r = await Admin.PostAsJsonAsync(path, body ?? new { });
        var text = await r.Content.ReadAsStringAsync();
        RecordSecrets(body, text);
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Mailbox passwords given and generated, for the secrets scan after the suite.</summary>
    private static void RecordSecrets(object? body, string response)
    {
        SecretsScan.ScanArtifacts.RecordJson(JsonSerializer.Serialize(body));
        SecretsScan.ScanArtifacts.RecordJson(response);
    }

    /// <summary>The host's mailboxes by address, as GET /api/v1/mailboxes lists them.</summary>
    public async Task<Dictionary<string, JsonElement>> ListAsync()
    {
        var listing = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes?host={Host}");
        return listing.GetProperty("mailboxes").EnumerateArray().ToDictionary(m => m.GetProperty("address").GetString()!);
    }

    public static string Unique(string local) => $"{local}-{Guid.NewGuid():N}"[..(local.Length + 9)] + "@example.test";

    public async Task DisposeAsync()
    {
        if (Dovecot is not null) await Dovecot.DisposeAsync();
        await ((IAsyncLifetime)Portal).DisposeAsync();
        Portal.Dispose();
    }
}
