namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>The email an Admin gets when a VPN server's CRL enters an alert (once per episode).</summary>
public static class CrlAlertEmail
{
    public const string Kind = "vpn-crl-alert";

    public static Email.EmailDraft Create(string to, string server, CrlVerdict verdict) => new(
        to, $"VPN server {server}: CRL {verdict.State}",
        $"""
        The CRL deployed on VPN server {server} needs attention: {verdict.State}.

        {verdict.Problem}

        Deployed cRLNumber(s): {verdict.DeployedNumbers ?? "unknown"}; nextUpdate: {verdict.DeployedNextUpdate?.ToString("u") ?? "unknown"}.
        The portal pushes the current CRL again at every check until the server has it; the server's page shows the
        latest state and has "Push CRL now".
        """,
        Kind, $"vpn-server:{server}");
}
