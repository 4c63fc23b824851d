using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>
/// The portal and one sshd with a host for each way of being root: a root login and <see cref="SshdServer.SudoUser"/>
/// (a non-root login with a NOPASSWD sudo rule, the portal's <c>sudo -n</c> way). Shared by a test class.
/// </summary>
public sealed class RootWaysLab : SshLab, IAsyncLifetime
{
    public SshdServer Sshd { get; private set; } = null!;
    private readonly Dictionary<string, string> _hosts = new(StringComparer.Ordinal);

    /// <summary>The two login users a [Theory] runs over.</summary>
    public static TheoryData<string> LoginUsers => new() { "root", SshdServer.SudoUser };

    /// <summary>The host whose login user is <paramref name="user"/>.</summary>
    public string HostOf(string user) => _hosts[user];

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Sshd = await SshdAsync();
        Sshd.Authorize(SshdServer.SudoUser, Credential.PublicKey);
        foreach (var user in (string[])["root", SshdServer.SudoUser]) _hosts[user] = await AddHostAsync(Sshd, user: user);
    }
}
