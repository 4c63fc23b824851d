using System.Net;
using System.Net.Http.Json;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Mail;

/// <summary>
/// A real Dovecot whose passwd-file the portal edits over a real sshd both ways of being root: one mail host per login
/// user (root, and <see cref="SshdServer.SudoUser"/> with sudo -n), both on the same passwd-file.
/// </summary>
public sealed class MailRootWaysLab : IAsyncLifetime
{
    public RootWaysLab Portal { get; } = new();
    public DovecotServer Dovecot { get; private set; } = null!;
    public HttpClient Admin => Portal.Admin;

    public async Task InitializeAsync()
    {
        await Portal.InitializeAsync();
        Dovecot = await DovecotServer.StartAsync();
        foreach (var user in (string[])["root", SshdServer.SudoUser])
        {
            var r = await Admin.PostAsJsonAsync("/api/v1/mail-hosts", new
            {
                host = Portal.HostOf(user), backend = "dovecot-passwd-file", passwdFile = Dovecot.PasswdFile, homeTemplate = Dovecot.HomeTemplate,
            });
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync()
    {
        if (Dovecot is not null) await Dovecot.DisposeAsync();
        await ((IAsyncLifetime)Portal).DisposeAsync();
        Portal.Dispose();
    }
}
