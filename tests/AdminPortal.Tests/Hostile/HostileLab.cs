using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Hostile;

/// <summary>The portal with what hostile input aims at: a CA, a profile and a user, two hosts on a real sshd (root and a plain user),
/// a mail host, a VPN server, download and setup links in each state, and the clients each case sends with.</summary>
public sealed class HostilePortal : SshLab
{
    // Hundreds of guessed link tokens come from one test client: the guessing limit has its own test (LinkGuessingTests).
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Append(new("Bundles:InvalidTokenLimit", "10000"));
}

public sealed class HostileLab : IAsyncLifetime
{
    public HostilePortal Portal { get; } = new();
    public string Run { get; } = Guid.NewGuid().ToString("N")[..8];
    public string Folder { get; }
    public Dictionary<string, string> Values { get; } = [];
    public CookieBrowser AdminBrowser { get; private set; } = null!;
    public HttpClient Helpdesk { get; private set; } = null!;
    /// <summary>A signed-in Auditor for the logout case (an Admin session stays for the page checks).</summary>
    public CookieBrowser AuditorBrowser { get; private set; } = null!;
    public string RevokedToken { get; private set; } = null!;
    private readonly List<IDisposable> _owned = [];

    public HostileLab() => Folder = Path.Combine(Path.GetTempPath(), "hostile-" + Run);

    public HttpClient Admin => Portal.Admin;

    /// <summary>Where a case's canary file would appear if its payload ran as a command.</summary>
    public string Canary(string id) => $"/tmp/canary-{Run}-{id}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        await Portal.InitializeAsync();
        var sshd = await Portal.SshdAsync();
        Values["HOST"] = await Portal.AddHostAsync(sshd, user: "root");
        Values["UHOST"] = await Portal.AddHostAsync(sshd, services: ["cron.service"]);
        Values["CRED"] = Portal.Credential.Name;
        Values["PUBKEY"] = Portal.Credential.PublicKey;
        await CreatedAsync("/api/v1/ca", new { name = "hostile-root" });
        Values["PROFILE"] = "office";
        await CreatedAsync("/api/v1/vpn-profiles", new { name = "office", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" });
        Values["USER"] = "alice";
        await CreatedAsync("/api/v1/vpn-users", new { name = "alice", email = "alice@example.test" });
        var passwd = Path.Combine(Folder, "passwd");
        await File.WriteAllTextAsync(passwd, "");
        await CreatedAsync("/api/v1/mail-hosts", new { host = Values["HOST"], backend = "dovecot-passwd-file", passwdFile = passwd, homeTemplate = Folder + "/mail/%d/%n" });
        Values["MAILHOST"] = Values["HOST"];
        Values["VPNSERVER"] = "vs-" + Run;
        await CreatedAsync("/api/v1/vpn-servers", new { name = Values["VPNSERVER"], host = Values["HOST"], profile = "office", configDir = Folder + "/ovpn" });
        var kinds = await Admin.GetFromJsonAsync<JsonElement>("/api/v1/notification-templates");
        Values["KIND"] = kinds[0].GetProperty("kind").GetString()!; // the one the templates page opens with
        await LinksAsync();
        Values["USEDSETUP"] = await UsedSetupTokenAsync();
        Values["GUESS"] = SecretTokens.New();
        RevokedToken = await RevokedTokenAsync();
        AdminBrowser = await new CookieBrowser(Portal).LoginAsync(await Portal.CreateOperatorAsync(Roles.Admin));
        Helpdesk = await Portal.TokenClientAsync(Roles.Helpdesk);
        AuditorBrowser = await new CookieBrowser(Portal).LoginAsync(await Portal.CreateOperatorAsync(Roles.Auditor));
    }

    /// <summary>An onboarding-link template that shows the display name in both parts (template cases may have changed it).</summary>
    public async Task ShowDisplayNameInOnboardingEmailAsync()
    {
        var shown = await Admin.PutAsJsonAsync("/api/v1/notification-templates/onboarding-link",
            new { subject = "Welcome", textBody = "Hello {{displayName}}: {{link}}", htmlBody = "<p>Hello {{displayName}}</p><p>{{link}}</p>" });
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
    }

    private async Task<JsonElement> CreatedAsync(string path, object body)
    {
        var r = await Admin.PostAsJsonAsync(path, body);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<(string Id, string Token)> LinkAsync()
    {
        var link = await CreatedAsync($"/api/v1/vpn-users/alice/download-links", new { profile = "office", platform = "ovpn" });
        return (link.GetProperty("id").ToString(), link.GetProperty("url").GetString()!.Split("/d/")[1]);
    }

    /// <summary>One link of each kind: fresh (and altered copies of it), used, withdrawn.</summary>
    private async Task LinksAsync()
    {
        var (_, fresh) = await LinkAsync();
        Values["FRESHLINK"] = fresh;
        Values["LINKPREFIX"] = fresh[..^1];
        Values["LINKFLIP"] = fresh[..^1] + (fresh[^1] == 'A' ? 'B' : 'A');
        var (_, used) = await LinkAsync();
        var download = await Portal.CreateClient().PostAsync($"/d/{used}", null);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Values["USEDLINK"] = used;
        var (id, withdrawn) = await LinkAsync();
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsync($"/api/v1/download-links/{id}/revoke", null)).StatusCode);
        Values["REVOKEDLINK"] = withdrawn;
    }

    /// <summary>An operator's setup link, completed through the setup form (so its token is spent).</summary>
    private async Task<string> UsedSetupTokenAsync()
    {
        var invite = await CreatedAsync("/api/v1/operators", new { email = $"setup-{Run}@example.test", role = Roles.Auditor });
        var path = new Uri(invite.GetProperty("setupLink").GetString()!).AbsolutePath;
        using var browser = new CookieBrowser(Portal);
        var done = await Forms.PostAsync(browser.Follow, path, "setup",
            new() { ["Form.Password"] = "a long enough passphrase 42", ["Form.Confirm"] = "a long enough passphrase 42" });
        Assert.Equal("/account/enrol", CookieBrowser.PathOf(done));
        return path.Split('/')[^1];
    }

    private async Task<string> RevokedTokenAsync()
    {
        var name = "revoked-" + Run;
        var created = await CreatedAsync("/api/v1/tokens", new { name, role = Roles.Admin });
        Assert.True((await Admin.DeleteAsync($"/api/v1/tokens/{name}")).IsSuccessStatusCode);
        return created.GetProperty("token").GetString()!;
    }

    /// <summary>A client without cookies or redirects, carrying this Authorization header (unchecked, as an attacker sends it).</summary>
    public HttpClient WithAuthorization(string? header)
    {
        var client = Portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (header is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        _owned.Add(client);
        return client;
    }

    public HttpClient Bearer(string token)
    {
        var client = WithAuthorization(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public CookieBrowser NewBrowser()
    {
        var browser = new CookieBrowser(Portal);
        _owned.Add(browser);
        return browser;
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _owned) d.Dispose();
        AdminBrowser?.Dispose();
        AuditorBrowser?.Dispose();
        Helpdesk?.Dispose();
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Portal.DisposeAsync();
        foreach (var canary in Directory.GetFiles("/tmp", $"canary-{Run}-*")) File.Delete(canary);
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}
